/**
 * The interactive API reference at `/api/v1/reference`: one static page (no CDN: the machine may be offline) that
 * reads `/openapi.json`, lists every operation with its parameters and schemas, and can send a request with an
 * API key typed in the page.
 */

/** The page's HTML. */
export const referencePage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Agent API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
header{background:#464775;color:#fff;padding:12px 20px}main{max-width:1000px;margin:0 auto;padding:16px}
details{background:#fff;border:1px solid #ddd;border-radius:6px;margin:8px 0;padding:8px 12px}
summary{cursor:pointer;font-weight:600}.m{display:inline-block;min-width:60px;font-family:monospace;text-transform:uppercase}
.get{color:#0a6b2d}.post{color:#1f4fa3}.delete{color:#a31f1f}pre{background:#f3f3f3;padding:8px;overflow:auto;font-size:13px}
label{display:block;margin:6px 0 2px;font-weight:600}input,textarea{width:100%;box-sizing:border-box;font:inherit;padding:4px}
button{margin-top:6px;padding:6px 14px;font:inherit}
</style></head><body>
<header><h1 style="margin:0;font-size:20px">Teams UC Connector — agent API</h1></header>
<main>
<label for="key">API key (kept in this page only)</label><input id="key" type="password" autocomplete="off">
<label for="agent">X-Agent-Id (platform keys)</label><input id="agent">
<div id="ops" aria-live="polite">Loading /openapi.json…</div>
</main>
<script>
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
fetch('/openapi.json').then((r) => r.json()).then((doc) => {
  const root = document.getElementById('ops');
  root.innerHTML = '<p>' + esc(doc.info.description) + '</p>';
  let n = 0;
  for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) {
    const i = n++;
    const d = document.createElement('details');
    const params = (op.parameters || []).filter((p) => p.in !== 'header');
    d.innerHTML = '<summary><span class="m ' + method + '">' + method + '</span> ' + esc(path) + ' — ' + esc(op.summary) + '</summary>'
      + (op.description ? '<p>' + esc(op.description) + '</p>' : '')
      + params.map((p) => '<label for="p' + i + p.name + '">' + esc(p.name) + ' (' + p.in + ')</label><input id="p' + i + p.name + '" data-in="' + p.in + '" data-name="' + esc(p.name) + '">').join('')
      + (op.requestBody ? '<label for="b' + i + '">JSON body</label><textarea id="b' + i + '" rows="5"></textarea><pre>' + esc(JSON.stringify(op.requestBody.content['application/json'].schema, null, 2)) + '</pre>' : '')
      + '<button type="button">Send</button><pre aria-label="Response" tabindex="0"></pre>'
      + '<details><summary>Responses</summary><pre>' + esc(JSON.stringify(op.responses, null, 2)) + '</pre></details>';
    d.querySelector('button').addEventListener('click', async () => {
      let url = path; const q = new URLSearchParams();
      for (const input of d.querySelectorAll('input[data-in]')) {
        if (input.dataset.in === 'path') url = url.replace('{' + input.dataset.name + '}', encodeURIComponent(input.value));
        else if (input.value) q.set(input.dataset.name, input.value);
      }
      const headers = { authorization: 'Bearer ' + document.getElementById('key').value };
      const agent = document.getElementById('agent').value; if (agent) headers['x-agent-id'] = agent;
      const body = d.querySelector('textarea')?.value; if (body) headers['content-type'] = 'application/json';
      const res = await fetch(url + (q.size ? '?' + q : ''), { method: method.toUpperCase(), headers, body: body || undefined });
      d.querySelector('pre[aria-label]').textContent = res.status + ' ' + res.statusText + '\\n' + await res.text();
    });
    root.appendChild(d);
  }
  const schemas = document.createElement('details');
  schemas.innerHTML = '<summary>Schemas (#/components/schemas)</summary><pre>' + esc(JSON.stringify(doc.components.schemas, null, 2)) + '</pre>';
  root.appendChild(schemas);
});
</script></body></html>`;
