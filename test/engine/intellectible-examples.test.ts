// Intellectible's two code-node examples (list the library, find the CSV, download it through
// createDownloadUrl and read it; create an `executions` table with two text columns and insert a row),
// in the structure Intellectible's SDK pages prescribe for code nodes: standalone scripts, `async function
// main` + `main().catch(err => console.error(err));` in JavaScript and an `if __name__ == '__main__':`
// guard in Python, SDK from '@intellectible/execution-sdk' / intellectible_execution, with the documented
// method names and argument orders, results on the console. (The examples' exact bodies were not in the
// stored copies of docs.intellectible.com this was written from, only the code structure and method
// tables, so the bodies are reconstructed from those.) They run unchanged in every lane, on a real service,
// with no key in the code and no allow-list entry: the signed URL is read through the egress bridge.
import { beforeAll, describe, expect, it } from 'vitest';
import { type GuestService, useGuestService } from '../library/guest-service.js';

const CSV = 'name,amount\nalice,10\nbob,32\n';

const JS_LIBRARY = `const { LibraryClient } = require('@intellectible/execution-sdk');

async function main() {
  const library = new LibraryClient();
  const files = await library.listFiles();
  const csvFile = files.find(f => f.name.endsWith('.csv'));
  if (!csvFile) {
    console.log('No CSV file found');
    return;
  }
  const url = await library.createDownloadUrl(csvFile.id);
  const response = await fetch(url);
  const text = await response.text();
  const rows = text.trim().split('\\n');
  console.log(\`\${csvFile.name}: \${rows.length - 1} rows\`);
  console.log(rows[1]);
}

main().catch(err => console.error(err));
`;

const PY_LIBRARY = `import urllib.request
from intellectible_execution import LibraryClient

def main():
    library = LibraryClient()
    files = library.list_files()
    csv_file = next((f for f in files if f['name'].endswith('.csv')), None)
    if csv_file is None:
        print('No CSV file found')
        return
    url = library.create_download_url(csv_file['id'])
    with urllib.request.urlopen(url) as response:
        text = response.read().decode('utf-8')
    rows = text.strip().split('\\n')
    print(f"{csv_file['name']}: {len(rows) - 1} rows")
    print(rows[1])

if __name__ == '__main__':
    main()
`;

const JS_DATABASE = `const { DatabaseClient } = require('@intellectible/execution-sdk');

async function main() {
  const database = new DatabaseClient();
  const databases = await database.listDatabases();
  const dbId = databases[0].id;
  await database.createTable(dbId, 'executions');
  await database.createColumn(dbId, 'executions', 'execution_id', 'text');
  await database.createColumn(dbId, 'executions', 'status', 'text');
  await database.insertRows(dbId, 'executions', [{ execution_id: 'exec-001', status: 'completed' }]);
  console.log('Logged execution to', dbId);
}

main().catch(err => console.error(err));
`;

const PY_DATABASE = `from intellectible_execution import DatabaseClient

def main():
    database = DatabaseClient()
    databases = database.list_databases()
    db_id = databases[0]['id']
    database.create_table(db_id, 'executions')
    database.create_column(db_id, 'executions', 'execution_id', 'text')
    database.create_column(db_id, 'executions', 'status', 'text')
    database.insert_rows(db_id, 'executions', [{'execution_id': 'exec-001', 'status': 'completed'}])
    print('Logged execution to', db_id)

if __name__ == '__main__':
    main()
`;

const LANES = [
  { name: 'JavaScript in QuickJS', language: 'javascript', lane: 'quickjs', library: JS_LIBRARY, database: JS_DATABASE },
  { name: 'JavaScript in the native lane', language: 'javascript', runtime: 'native', lane: 'native', library: JS_LIBRARY, database: JS_DATABASE },
  { name: 'Python in CPython on WASI', language: 'python', lane: 'cpython', library: PY_LIBRARY, database: PY_DATABASE },
  { name: 'Python in the native lane', language: 'python', runtime: 'native', lane: 'native', library: PY_LIBRARY, database: PY_DATABASE },
] as const;

describe("Intellectible's documented examples, unchanged", () => {
  const service = useGuestService();
  let get: () => GuestService;
  beforeAll(() => {
    get = service;
  });

  describe.each(LANES)('$name', (lane) => {
    let project: { id: string; api_key: string };
    beforeAll(async () => {
      const { newProject, upload, server } = get();
      project = await newProject(`examples-${lane.lane}-${lane.language}`);
      await upload(project.api_key, 'notes.txt', 'not the one', 'text/plain');
      await upload(project.api_key, 'sales.csv', CSV);
      const made = await fetch(`${server.address}/v1/databases`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${project.api_key}` }, body: JSON.stringify({ name: 'main' }) });
      expect(made.status).toBe(201);
    });

    it('lists the library, finds the CSV, downloads it through createDownloadUrl and reads it', async () => {
      const res = await get().execute(project.api_key, { language: lane.language, ...('runtime' in lane ? { runtime: lane.runtime } : {}), code: lane.library });
      expect(res.environment.lane).toBe(lane.lane);
      expect(res.stderr).toBe('');
      expect(res.status, res.stderr).toBe('completed');
      expect(res.stdout).toBe('sales.csv: 2 rows\nalice,10\n');
    }, 60_000);

    it('creates an executions table with two text columns and inserts a row', async () => {
      const { execute, server } = get();
      const res = await execute(project.api_key, { language: lane.language, ...('runtime' in lane ? { runtime: lane.runtime } : {}), code: lane.database });
      expect(res.stderr).toBe('');
      expect(res.stdout).toBe('Logged execution to main\n');
      const rows = await fetch(`${server.address}/v1/databases/main/query`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${project.api_key}` }, body: JSON.stringify({ sql: 'SELECT execution_id, status FROM executions' }) });
      expect((await rows.json()).rows).toEqual([{ execution_id: 'exec-001', status: 'completed' }]);
    }, 60_000);
  });
});
