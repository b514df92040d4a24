/**
 * The playground's HTML. Static apart from the version; the script and the styles are same-origin
 * files, so the page needs no CDN and runs under a CSP that allows nothing else.
 */
export function playgroundHtml(version: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Isola playground</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/playground/app.css">
</head>
<body>
<header>
  <h1>Isola playground <small>${version}</small></h1>
  <nav><a href="/docs">API docs</a> · <a href="/openapi.json">openapi.json</a></nav>
</header>
<main>
  <section class="request">
    <div class="fields">
      <label>Language <select id="language">
        <option value="python">Python</option>
        <option value="javascript">JavaScript</option>
        <option value="typescript">TypeScript</option>
      </select></label>
      <label>Runtime <select id="runtime">
        <option value="auto">auto</option>
        <option value="wasm">wasm</option>
        <option value="native">native</option>
      </select></label>
      <label>Packages <input id="packages" placeholder="lodash@4, numpy" size="18"></label>
      <label>Timeout ms <input id="timeout" type="number" min="1" step="100" size="6"></label>
      <label>Memory MB <input id="memory" type="number" min="16" step="16" size="5"></label>
      <label title="isola/edge: QuickJS in a Web Worker of this page; JavaScript only">
        <input id="local" type="checkbox"> Run in this browser</label>
      <label>API key <input id="api-key" type="password" autocomplete="off" placeholder="if the service needs one" size="14"></label>
    </div>
    <h2>Code</h2>
    <div id="code" class="editor"></div>
    <h2>Inputs (JSON object)</h2>
    <div id="inputs" class="editor small"></div>
    <div class="actions">
      <button id="run" type="button" title="Ctrl+Enter">Run</button>
      <button id="share" type="button">Share link</button>
      <input id="share-link" readonly hidden aria-label="shareable link">
    </div>
  </section>
  <section class="result">
    <p id="status" role="status" data-state="idle">Press Run.</p>
    <h2>Output</h2><pre id="output"></pre>
    <h2>stdout</h2><pre id="stdout"></pre>
    <h2>stderr</h2><pre id="stderr"></pre>
    <details><summary>Envelope</summary><pre id="envelope"></pre></details>
  </section>
</main>
<script type="module" src="/playground/app.js"></script>
</body>
</html>
`;
}
