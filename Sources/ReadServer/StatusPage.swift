/// The live status page at `/` (docs/reads.md §6): one self-contained HTML page, no external
/// assets. It reads `/metrics` (the same figures a Prometheus scrape gets) and
/// `/status/busiest` every two seconds and shows totals and the rates between two reads.
public enum StatusPage {
    public static let contentType = "text/html; charset=utf-8"

    public static let html = """
    <!DOCTYPE html>
    <html lang="en"><head><meta charset="utf-8"><title>Stoker</title>
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <style>
    body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
    h1{font-size:1.3em;margin:0 0 .8em} h2{font-size:1em;margin:1.2em 0 .4em;color:#555}
    .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(15em,1fr));gap:.6em}
    .card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.6em .8em}
    .card b{display:block;font-size:1.5em;font-variant-numeric:tabular-nums}
    .card span{color:#666;font-size:.85em}
    table{border-collapse:collapse;background:#fff} td,th{border:1px solid #ddd;padding:.2em .6em;text-align:left}
    td.n{text-align:right;font-variant-numeric:tabular-nums} #updated{color:#888;font-size:.85em}
    </style></head><body>
    <h1>Stoker <span id="updated">loading…</span></h1>
    <h2>statsd</h2><div class="grid">
    <div class="card"><b id="statsd_rate">–</b><span>metrics received / s</span></div>
    <div class="card"><b id="stoker_statsd_metrics_received_total">–</b><span>metrics received</span></div>
    <div class="card"><b id="statsd_drops">–</b><span>dropped (UDP, key limit, bad lines)</span></div>
    <div class="card"><b id="stoker_statsd_flushes_total">–</b><span>flushes</span></div>
    </div>
    <h2>carbon</h2><div class="grid">
    <div class="card"><b id="carbon_rate">–</b><span>points received / s</span></div>
    <div class="card"><b id="stoker_carbon_metrics_received_total">–</b><span>points received</span></div>
    <div class="card"><b id="stoker_carbon_cache_size">–</b><span>points in the cache</span></div>
    <div class="card"><b id="stoker_carbon_cache_queues">–</b><span>metrics in the cache</span></div>
    <div class="card"><b id="writer_rate">–</b><span>whisper updates / s</span></div>
    <div class="card"><b id="stoker_carbon_committed_points_total">–</b><span>points written</span></div>
    <div class="card"><b id="stoker_index_waiting_for_create">–</b><span>metrics waiting for their file</span></div>
    <div class="card"><b id="stoker_carbon_errors_total">–</b><span>write errors</span></div>
    <div class="card"><b id="stoker_index_leaves">–</b><span>series known</span></div>
    </div>
    <h2>busiest metrics (points in the cache)</h2>
    <table><thead><tr><th>metric</th><th>points</th></tr></thead><tbody id="busiest"></tbody></table>
    <script>
    "use strict";
    let previous = null;
    function parse(text) {
      const values = {};
      for (const line of text.split("\\n")) {
        if (!line || line[0] === "#") continue;
        const space = line.lastIndexOf(" ");
        values[line.slice(0, space)] = Number(line.slice(space + 1));
      }
      return values;
    }
    function show(id, value) {
      const element = document.getElementById(id);
      if (element) element.textContent = value === undefined ? "–" : Math.round(value).toLocaleString("en-US");
    }
    function rate(values, name, seconds) {
      if (!previous || !(name in values) || seconds <= 0) return undefined;
      return (values[name] - previous.values[name]) / seconds;
    }
    async function refresh() {
      try {
        const values = parse(await (await fetch("/metrics")).text());
        const now = Date.now() / 1000;
        for (const id in values) show(id, values[id]);
        const seconds = previous ? now - previous.time : 0;
        show("statsd_rate", rate(values, "stoker_statsd_metrics_received_total", seconds));
        show("carbon_rate", rate(values, "stoker_carbon_metrics_received_total", seconds));
        show("writer_rate", rate(values, "stoker_carbon_update_operations_total", seconds));
        const drops = ["stoker_statsd_udp_dropped_total", "stoker_statsd_keys_over_limit_total", "stoker_statsd_bad_lines_seen_total"]
          .filter(name => name in values).reduce((sum, name) => sum + values[name], 0);
        show("statsd_drops", "stoker_statsd_flushes_total" in values ? drops : undefined);
        previous = {values, time: now};
        const busiest = await (await fetch("/status/busiest")).json();
        const body = document.getElementById("busiest");
        body.replaceChildren(...busiest.map(([metric, points]) => {
          const row = document.createElement("tr");
          const name = document.createElement("td"); name.textContent = metric;
          const count = document.createElement("td"); count.className = "n"; count.textContent = points.toLocaleString("en-US");
          row.append(name, count);
          return row;
        }));
        document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
      } catch (error) {
        document.getElementById("updated").textContent = "not answering: " + error;
      }
    }
    refresh();
    setInterval(refresh, 2000);
    </script></body></html>
    """
}
