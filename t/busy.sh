#!/bin/sh
# busy.sh COMMAND...: run COMMAND on a machine made busy the way a shared
# one is: a busy loop per core, and a process that keeps a few hundred
# UDP sockets on 127.0.0.1 at random ports of 1024-65535 (as resolvers
# pick their outgoing ports) and on kernel-chosen ephemeral ports (as
# DNS clients do), each held for a moment and then replaced, sending
# datagrams to random loopback ports.  All traffic stays on loopback.
#   cd _build && sh ../t/busy.sh make check TESTS='t/integ/70-mta-sts.sh'
# BUSY_SOCKETS (300) sets the number of sockets held at any time.
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
pids=
i=0
while [ "$i" -lt "$cores" ]; do
	sh -c 'while :; do :; done' &
	pids="$pids $!"
	i=$((i + 1))
done
python3 - "${BUSY_SOCKETS:-300}" <<'PY' &
import random, socket, sys, time
want = int(sys.argv[1])
held = []
while True:
    while len(held) < want:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("127.0.0.1", random.randint(1024, 65535) if random.random() < 0.5 else 0))
            s.sendto(b"\0" * 12, ("127.0.0.1", random.randint(1024, 65535)))
        except OSError:
            s.close()
            continue
        held.append((time.monotonic() + random.uniform(0.01, 0.3), s))
    now = time.monotonic()
    keep = []
    for t, s in held:
        if t < now:
            s.close()
        else:
            keep.append((t, s))
    held = keep
    time.sleep(0.002)
PY
pids="$pids $!"
trap 'kill $pids 2>/dev/null' EXIT INT TERM
"$@"
