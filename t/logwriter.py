#!/usr/bin/env python3
"""Append a log to a live log file the way a busy syslog daemon would.

usage: logwriter.py SOURCE TARGET [SEED]

Writes SOURCE to TARGET in pieces of random size (often ending inside a
line), with short pauses.  A third of the way through, the file is
rotated by rename (TARGET -> TARGET.1, a new TARGET); two thirds through,
by copytruncate (TARGET.1 -> TARGET.2, TARGET copied to TARGET.1, then
TARGET truncated), as logrotate does.  Rotations happen between lines,
as a syslog daemon writes whole lines.  Prints "done" at the end.
"""
import os
import random
import shutil
import sys
import time


def main():
    src, dst = sys.argv[1], sys.argv[2]
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    data = open(src, "rb").read()
    marks = [len(data) // 3, 2 * len(data) // 3]
    marks = [data.index(b"\n", m) + 1 for m in marks]
    rotations = ["rename", "copytruncate"]
    out = open(dst, "ab")
    pos = 0
    while pos < len(data):
        end = min(len(data), pos + rnd.randint(1, 16384))
        if marks and end >= marks[0]:
            end = marks.pop(0)
            out.write(data[pos:end])
            out.flush()
            pos = end
            how = rotations.pop(0)
            if how == "rename":
                out.close()
                os.rename(dst, dst + ".1")
                out = open(dst, "ab")
            else:
                if os.path.exists(dst + ".1"):
                    os.rename(dst + ".1", dst + ".2")
                shutil.copyfile(dst, dst + ".1")
                out.truncate(0)
                out.seek(0)
            os.chmod(dst, 0o644)
            continue
        out.write(data[pos:end])
        out.flush()
        pos = end
        time.sleep(rnd.random() * 0.006)
    out.close()
    print("done", flush=True)


if __name__ == "__main__":
    main()
