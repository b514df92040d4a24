"""Entry point of the native (bubblewrap) lane: `python -s -B isola_native.py /isola/job/job.json`.

job.json is read-only, written by the host: {"code", "filename", "mode", "output_limit", "inputs_path",
"item"? ({"index", "json"}: one item of a batch, see isola_items.py), "items_path"?, "prebuild_dir"?, "egress_socket"?, "egress_port"?, "egress_proxy_url"?}. The working directory (/work, a private tmpfs) starts with the files the environment's
prebuild left (copied from prebuild_dir) and a copy of inputs.json; fd 0 is the host's inputs file. After the code has run, ./output.json (if any, and not over output_limit) is read back.

fd 3 gets two JSON lines: {"mode"} before the code runs, then the result (isola_runner.execute()'s dict
plus "output_file_text" / "output_file_bytes"); never stdout, so nothing the user prints can be taken for it. The process then
exits with the result's exit code via os._exit, so no user atexit handler runs after the result.
"""

import json
import os
import sys

RESULT_FD = 3


def main():
    # The result pipe must not leak into processes the user code starts.
    os.set_inheritable(RESULT_FD, False)
    here = os.path.dirname(os.path.abspath(__file__))
    import isola_import_hooks  # found through sys.path[0] == here
    import isola_items  # imports isola_runner; both before the path below forgets this directory
    import isola_runner
    import isola_typed_args  # noqa: F401  the runner imports it for an annotated main, after sys.path loses this dir

    # The user's imports must not see Isola's files.
    sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
    with open(sys.argv[1], encoding="utf-8") as handle:
        job = json.load(handle)
    with open(job["inputs_path"], encoding="utf-8") as handle:
        inputs_json = handle.read()
    workdir = os.getcwd()
    if job.get("prebuild_dir"):
        import shutil  # only environments with a prebuild pay for it

        shutil.copytree(job["prebuild_dir"], workdir, dirs_exist_ok=True)
    with open("inputs.json", "w", encoding="utf-8") as handle:
        handle.write(inputs_json)
    if job.get("egress_socket"):
        start_egress_forwarder(job["egress_socket"], job["egress_port"])
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            os.environ[name] = job["egress_proxy_url"]  # the URL holds the job's token: not on any command line
        isola_import_hooks.after_import({"aiohttp.client": trust_proxy_environment})
        # The project-data SDK (import isola / intellectible_execution) talks through that proxy; it is
        # imported here, from Isola's own directory, which the user's imports no longer search.
        sys.path.insert(0, here)
        try:
            import intellectible_execution  # noqa: F401 (also imports isola)
        finally:
            sys.path.remove(here)
    del sys.argv[1:]
    announce_mode(job["code"], job["mode"], isola_runner)
    output_limit = job["output_limit"]
    # The process's stdin is the request's stdin when it has one (else inputs.json): hand it to the runner.
    stdin = sys.stdin.read() if job.get("has_stdin") else None
    item = job.get("item")
    if item is not None:
        def load_items():
            with open(job["items_path"], encoding="utf-8") as items:
                return json.load(items)

        result = isola_items.execute(job["code"], job["filename"], item["json"], item["index"], load_items,
                                     output_limit, stdin=stdin)  # the outbox, /tmp/isola-outbox, is copied out
    else:
        result = isola_runner.execute(job["code"], job["filename"], job["mode"], inputs_json, output_limit, stdin=stdin)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    result.update(read_output_file(os.path.join(workdir, "output.json"), output_limit))
    payload = json.dumps(result, ensure_ascii=False).encode("utf-8") + b"\n"
    view = memoryview(payload)
    while view:
        view = view[os.write(RESULT_FD, view):]
    os.close(RESULT_FD)
    os._exit(result["exit_code"])


def announce_mode(code, mode, runner):
    """First line on fd 3: the entry mode, so a job killed before its result still reports the right one."""
    if mode == "auto":
        mode = runner.entry_mode(code)  # "script" for code that does not parse: the runner reports it
    os.write(RESULT_FD, json.dumps({"mode": mode}).encode("ascii") + b"\n")


def trust_proxy_environment(module):
    """aiohttp reads HTTP(S)_PROXY only with trust_env=True; the proxy is the sandbox's only way out, so
    a session made here defaults to it (a user who passes trust_env=False gets what they asked for)."""
    original = module.ClientSession.__init__

    def init(self, *args, trust_env=True, **kwargs):
        original(self, *args, trust_env=trust_env, **kwargs)

    module.ClientSession.__init__ = init


def start_egress_forwarder(socket_path, port):
    """127.0.0.1:port -> the host's egress proxy socket, for clients that honour HTTP(S)_PROXY.

    The sandbox has no network of its own; this is its only way out, and the proxy applies the
    request's allow-list (the token in the proxy URL says which job is asking).
    """
    import socket
    import threading

    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(64)

    def pump(source, target):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                target.sendall(data)
        except OSError:
            pass
        finally:
            try:
                target.shutdown(socket.SHUT_WR)  # pass the end of this direction on
            except OSError:
                pass

    def serve():
        while True:
            client, _ = server.accept()
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                upstream.connect(socket_path)
            except OSError:
                client.close()
                upstream.close()
                continue
            threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=pump, args=(upstream, client), daemon=True).start()

    threading.Thread(target=serve, name="isola-egress", daemon=True).start()


def read_output_file(path, limit):
    try:
        size = os.stat(path).st_size
    except OSError:
        return {}
    if size > limit:
        return {"output_file_bytes": size}
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError:
        return {}
    return {"output_file_bytes": len(data), "output_file_text": data.decode("utf-8", errors="replace")}


if __name__ == "__main__":
    main()
