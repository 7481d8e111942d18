using System.Globalization;
using System.Net;
using System.Text;

namespace BeyondNll.Silo.Web.Pages;

/// <summary>
/// The pages' shared HTML: the layout (navigation, style, and the one small script that applies
/// live updates), escaping, and number formats. Pages are built as strings on the server; the
/// browser needs nothing but this.
/// </summary>
static class Html
{
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A path segment (a study or backbone name) escaped for a URL.</summary>
    public static string U(string text) => Uri.EscapeDataString(text);

    public static string Number(double? value, string format = "F4") => value?.ToString(format, CultureInfo.InvariantCulture) ?? "–";

    public static string Signed(double? value) => value?.ToString("+0.0000;-0.0000;0.0000", CultureInfo.InvariantCulture) ?? "–";

    public static string Time(DateTimeOffset? at) => at?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "–";

    /// <summary>A table from a header row and rows of ready HTML cells.</summary>
    public static string Table(string id, IReadOnlyList<string> headers, IEnumerable<IEnumerable<string>> rows, string? rowClass = null,
        string? tableClass = null)
    {
        var html = new StringBuilder($"<table id=\"{id}\"{(tableClass is null ? "" : $" class=\"{tableClass}\"")}>");
        if (headers.Count > 0) html.Append("<thead><tr>").Append(string.Concat(headers.Select(h => $"<th>{E(h)}</th>"))).Append("</tr></thead>");
        html.Append("<tbody>");
        foreach (var row in rows)
            html.Append(rowClass is null ? "<tr>" : $"<tr class=\"{rowClass}\">").Append(string.Concat(row.Select(c => $"<td>{c}</td>"))).Append("</tr>");
        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>
    /// A whole page. With <paramref name="events"/>, the page follows that server-sent event stream:
    /// each "update" names elements by id with their new HTML, and a new version of the figures.
    /// </summary>
    public static string Page(string title, string body, string? events = null) => $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>{{E(title)}} · bnll</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>{{Style}}</style></head>
        <body{{(events is null ? "" : $" data-events=\"{E(events)}\"")}}>
        <nav><b>bnll</b> <a href="/studies">studies</a> <a href="/backbones">backbones</a> <a href="/continuum">continuum</a>
        <a href="/dashboard">Orleans dashboard</a> <a href="/metrics">metrics</a> <span id="live"></span></nav>
        <main>{{body}}</main>
        <script>{{Script}}</script>
        </body></html>
        """;

    const string Style = """
        body{font-family:system-ui,sans-serif;margin:0;color:#222}
        nav{background:#1f3b57;color:#fff;padding:.6em 1em}nav a{color:#cfe3ff;margin-left:1em}
        #live{float:right;font-size:.85em;color:#cfe3ff}
        main{padding:1em 1.5em}h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.5em}
        table{border-collapse:collapse;font-size:.9em;margin:.5em 0}th,td{border-bottom:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
        th{background:#f2f4f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
        .state-running{color:#1565c0;font-weight:600}.state-completed{color:#2e7d32}.state-pruned{color:#b28704}
        .state-failed{color:#c62828}.state-cancelled{color:#757575}.state-pending{color:#757575}
        .figures{display:flex;flex-wrap:wrap;gap:1em}.figures img{width:min(100%,720px);border:1px solid #ddd}
        .muted{color:#757575}.facts td:first-child{color:#555}progress{width:8em}
        """;

    // Applies server-sent updates in place: no reload, no library.
    const string Script = """
        (function(){
          var url=document.body.dataset.events; if(!url) return;
          var live=document.getElementById('live'); var source=new EventSource(url);
          source.addEventListener('update',function(e){
            var u=JSON.parse(e.data);
            Object.keys(u.html).forEach(function(id){var el=document.getElementById(id); if(el) el.innerHTML=u.html[id];});
            if(u.figures) document.querySelectorAll('img[data-figure]').forEach(function(img){
              var src=img.dataset.figure+'?v='+u.figures; if(img.getAttribute('src')!==src) img.setAttribute('src',src);});
            live.textContent='live · updated '+new Date().toLocaleTimeString();
          });
          source.addEventListener('end',function(){source.close(); live.textContent='finished';});
          source.onerror=function(){live.textContent='reconnecting…';};
        })();
        """;
}
