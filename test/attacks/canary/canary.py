"""Equivalence canary for the native lane (Python): prints what a job can observe of its sandbox.

After any job, a canary on the same driver must print exactly what it prints on a fresh driver. Fields
that legitimately differ per job are masked here and listed in test/attacks/native-canary.ts.
"""
import hashlib
import json
import os
import stat

SKIP = {"/proc", "/sys"}  # per-process views; /proc/self/limits is read on its own below
MASKED_ENV = {"PYTHONHASHSEED"}  # a fresh random seed per job, by design


def entry(path):
    info = os.lstat(path)
    target = os.readlink(path) if stat.S_ISLNK(info.st_mode) else None
    return [path, info.st_size, oct(info.st_mode), info.st_uid, info.st_gid, target]


def walk(top):
    """Every path under top (not following symlinks), with size, mode, owner and link target."""
    found = []
    try:
        names = sorted(os.listdir(top))
    except OSError as error:
        return [[top, "unreadable", error.errno]]
    for name in names:
        path = os.path.join(top, name)
        if path in SKIP:
            found.append([path, "skipped"])
            continue
        try:
            found.append(entry(path))
            if stat.S_ISDIR(os.lstat(path).st_mode):
                found.extend(walk(path))
        except OSError as error:
            found.append([path, "error", error.errno])
    return found


def digest(value):
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def listing(path):
    try:
        return sorted(os.listdir(path))
    except OSError as error:
        return ["error", error.errno]


tree = walk("/")
by_top = {}
for item in tree:
    top = "/" + item[0].split("/")[1]
    by_top.setdefault(top, []).append(item)
env = {key: ("<masked>" if key in MASKED_ENV else value) for key, value in os.environ.items()}
with open("/proc/self/limits") as handle:
    limits = handle.read()
print(json.dumps({
    "tree": {top: [len(items), digest(items)] for top, items in sorted(by_top.items())},
    "env": dict(sorted(env.items())),
    "cwd": [os.getcwd(), listing(".")],
    "tmp": listing("/tmp"),
    "shm": listing("/dev/shm"),
    "ids": [os.getuid(), os.geteuid(), os.getgid(), os.getegid(), sorted(os.getgroups())],
    "limits": limits,
}, sort_keys=True))
