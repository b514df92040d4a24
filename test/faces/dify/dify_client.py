"""A client for the dify-sandbox face that builds requests the way Dify's code executor does: the
user's code wrapped by a template transformer (inputs as base64 JSON, main(**inputs), the result
printed between <<RESULT>> tags), POSTed to /v1/sandbox/run with X-Api-Key, and stdout parsed with
the same regex and JSON rules. Written from the public protocol; stdlib only.

Usage: python3 dify_client.py <endpoint> <api key> < cases.json  ->  one JSON answer per case
"""

import base64
import json
import re
import sys
import urllib.error
import urllib.request

RESULT = re.compile(r"<<RESULT>>(.*?)<<RESULT>>", re.DOTALL)

PYTHON3 = """# declare main function
{code}

import json
from base64 import b64decode

# decode and prepare input dict
inputs_obj = json.loads(b64decode('{inputs}').decode('utf-8'))

# execute main function
output_obj = main(**inputs_obj)

# convert output to json and print
output_json = json.dumps(output_obj, indent=4)

result = f'''<<RESULT>>{{output_json}}<<RESULT>>'''
print(result)
"""

NODEJS = """// declare main function
{code}

// decode and prepare input object
var inputs_obj = JSON.parse(Buffer.from('{inputs}', 'base64').toString('utf-8'))

// execute main function
var output_obj = main(inputs_obj)

// convert output to json and print
var output_json = JSON.stringify(output_obj)
var result = `<<RESULT>>${{output_json}}<<RESULT>>`
console.log(result)
"""

JINJA2 = """# declare main function
def main(**inputs):
    import jinja2
    template = jinja2.Template('''{code}''')
    return template.render(**inputs)

import json
from base64 import b64decode

# decode and prepare input dict
inputs_obj = json.loads(b64decode('{inputs}').decode('utf-8'))

# execute main function
output = main(**inputs_obj)

# convert output and print
result = f'''<<RESULT>>{{output}}<<RESULT>>'''
print(result)
"""


def post(endpoint, key, path, body):
    request = urllib.request.Request(endpoint + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"X-Api-Key": key, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, json.loads(raw) if raw else None


def run(endpoint, key, case):
    language = case["language"]
    inputs = base64.b64encode(json.dumps(case.get("inputs", {})).encode()).decode()
    template = {"python3": PYTHON3, "nodejs": NODEJS, "jinja2": JINJA2}.get(language, "{code}{inputs}")
    code = template.format(code=case["code"], inputs=inputs)
    sandbox_language = "python3" if language == "jinja2" else language
    status, body = post(endpoint, case.get("key", key), "/v1/sandbox/run",
                        {"language": sandbox_language, "code": code, "preload": case.get("preload", ""), "enable_network": True})
    answer = {"status": status, "body": body}
    if status == 200 and body and body.get("code") == 0 and not body["data"]["error"]:
        match = RESULT.search(body["data"]["stdout"])
        answer["result"] = (match.group(1) if language == "jinja2" else json.loads(match.group(1))) if match else None
    return answer


if __name__ == "__main__":
    endpoint, key = sys.argv[1], sys.argv[2]
    for case in json.load(sys.stdin):
        print(json.dumps(run(endpoint, key, case)))
