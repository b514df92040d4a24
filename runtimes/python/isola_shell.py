"""Entry point of a shell prebuild in the native lane: `python -s -B isola_shell.py /isola/job/job.json`.

job.json is read-only, written by the host (src/lanes/native/shell-prebuild.ts): {"script_path", "shell"
(argv of the shell, options from the script's first line), "shims_dir", "pip_python", "base_venv"?,
"venv"?, "pip_index_url"?, "egress_socket"?, "egress_port"?, "egress_proxy_url"?}.

1. Copies the environment's venv (base_venv, read-only) into venv, a scratch directory bound at the path
   the prebuilt venv keeps later, so what `pip install` puts there is what later jobs import.
2. Starts the egress forwarder like every native job: the request's allow-list is the only way out.
3. Runs the script in /work with stdin closed (nothing can wait on a prompt), the shims first on PATH
   (pip into the venv; apt-get, dpkg, sudo refuse at once) and the venv's bin next.
4. Exits with the script's code; a command a shim refused fails the build even if the script went on
   (`apt-get install libgl1 || true`), with the shim's words last on stderr.

Nothing is written on fd 3: the host reads the outcome from the exit code and stderr.
"""

import json
import os
import shutil
import subprocess
import sys

REFUSED_EXIT_CODE = 100  # src/lanes/native/shell-prebuild.ts REFUSED_EXIT_CODE


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        job = json.load(handle)
    env = dict(os.environ)
    path = [job["shims_dir"]]
    if job.get("venv"):
        shutil.copytree(job["base_venv"], job["venv"], symlinks=True, dirs_exist_ok=True)
        env["VIRTUAL_ENV"] = job["venv"]
        path.append(os.path.join(job["venv"], "bin"))
    env["PATH"] = ":".join([*path, env.get("PATH", "/usr/bin:/bin")])
    env["ISOLA_PIP_PYTHON"] = job["pip_python"]
    # pip's cache would only spend the scratch budget: the sandbox is gone after the build.
    env.update({"PIP_NO_CACHE_DIR": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1", "DEBIAN_FRONTEND": "noninteractive"})
    if job.get("pip_index_url"):
        env["PIP_INDEX_URL"] = job["pip_index_url"]
    refused_log = "/tmp/.isola-refused"
    env["ISOLA_REFUSED_LOG"] = refused_log
    if job.get("egress_socket"):
        from isola_native import start_egress_forwarder  # found through sys.path[0], this file's directory

        start_egress_forwarder(job["egress_socket"], job["egress_port"])
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            env[name] = job["egress_proxy_url"]  # the URL holds the job's token: not on any command line
    sys.stdout.flush()
    with open(os.devnull, "rb") as nothing:
        code = subprocess.call([*job["shell"], job["script_path"]], stdin=nothing, env=env)
    if code == 0 and os.path.exists(refused_log):
        with open(refused_log, encoding="utf-8", errors="replace") as handle:
            sys.stderr.write("the script went on, but the build fails: " + handle.read())
        code = REFUSED_EXIT_CODE
    sys.stderr.flush()
    # A shell reports death by signal N as 128 + N; subprocess as -N: keep the shell's convention.
    os._exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()
