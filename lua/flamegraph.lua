-- flamegraph: a self-contained interactive SVG flame graph from folded stacks (the layout
-- of Brendan Gregg's flamegraph.pl): one box per frame, width proportional to its value,
-- callers below callees. Click a frame to zoom into it, click the root or "Reset zoom" to
-- go back, "Search" highlights boxes matching a regular expression and shows their share.
-- Tooltips give each frame's value and percentage. No external files, fonts or scripts.
local folded = require("folded")

local M = {}

local function esc(s)
	return (s:gsub("[&<>\"']", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;",
	                              ['"'] = "&quot;", ["'"] = "&apos;" }))
end

-- A tree of boxes: { name, value, children = { [name] = node }, order = { names } }.
local function build(t)
	local root = { name = "all", value = 0, children = {}, order = {} }
	for stack, v in pairs(t) do
		local node = root
		root.value = root.value + v
		for name in stack:gmatch("[^;]+") do
			local child = node.children[name]
			if not child then
				child = { name = name, value = 0, children = {}, order = {} }
				node.children[name] = child
				node.order[#node.order + 1] = name
			end
			child.value = child.value + v
			node = child
		end
	end
	return root
end

local function depth_of(node)
	local d = 0
	for _, c in pairs(node.children) do d = math.max(d, depth_of(c)) end
	return d + 1
end

-- Warm colours by name (stable across runs); kernel boxes orange, JIT/unknown grey.
local function color(name)
	local h = 0
	for i = 1, #name do h = (h * 31 + name:byte(i)) % 4294967296 end
	if name:find("_%[k%]$") then
		return ("rgb(%d,%d,%d)"):format(230 + h % 20, 120 + (h >> 8) % 60, 40 + (h >> 16) % 30)
	elseif name:find("^0x") or name:find("^%[") then
		return ("rgb(%d,%d,%d)"):format(160 + h % 30, 160 + h % 30, 170 + h % 30)
	end
	return ("rgb(%d,%d,%d)"):format(205 + h % 50, 80 + (h >> 8) % 130, 20 + (h >> 16) % 50)
end

local SCRIPT = [=[
<script type="text/ecmascript"><![CDATA[
var svg = document.documentElement, boxes = [], W = +svg.getAttribute("data-width"),
    PAD = 10, details, matched;
function init() {
  details = document.getElementById("details");
  matched = document.getElementById("matched");
  var gs = document.querySelectorAll("g.f");
  for (var i = 0; i < gs.length; i++) {
    var r = gs[i].querySelector("rect");
    boxes.push({ g: gs[i], r: r, t: gs[i].querySelector("text"), x: +r.getAttribute("x"),
                  w: +r.getAttribute("width"), n: gs[i].getAttribute("data-name") });
    gs[i].addEventListener("click", zoom_to.bind(null, boxes[boxes.length - 1]));
    gs[i].addEventListener("mouseover", show.bind(null, gs[i]));
  }
  document.getElementById("reset").addEventListener("click", reset);
  document.getElementById("search").addEventListener("click", search);
  svg.setAttribute("data-ready", boxes.length);
}
function show(g) { details.textContent = g.querySelector("title").textContent; }
function label(f, x, w) {
  var chars = Math.floor((w - 6) / 7);
  f.t.setAttribute("x", x + 3);
  f.t.textContent = chars < 3 ? "" : f.n.length <= chars ? f.n : f.n.substr(0, chars - 2) + "..";
}
function place(f, x, w) {
  f.r.setAttribute("x", x); f.r.setAttribute("width", w); label(f, x, w);
  f.g.style.display = w < 0.1 ? "none" : "";
}
function zoom_to(z) {
  var scale = (W - 2 * PAD) / z.w, zy = +z.r.getAttribute("y");
  boxes.forEach(function (f) {
    var y = +f.r.getAttribute("y"), inside = f.x >= z.x - 1e-6 && f.x + f.w <= z.x + z.w + 1e-6;
    if (y > zy) {	/* a caller of the zoomed frame: full width, faded */
      place(f, PAD, inside || f.x <= z.x && f.x + f.w >= z.x + z.w ? W - 2 * PAD : 0);
      f.g.style.opacity = 0.5;
    } else {
      place(f, inside ? PAD + (f.x - z.x) * scale : 0, inside ? f.w * scale : 0);
      f.g.style.opacity = 1;
    }
  });
}
function reset() {
  boxes.forEach(function (f) { place(f, f.x, f.w); f.g.style.opacity = 1; });
}
function search() {
  var term = prompt("Search boxes (regular expression)", "");
  if (term === null) return;
  var re = new RegExp(term), total = 0, root = boxes[boxes.length - 1];
  boxes.forEach(function (f) {
    var hit = term !== "" && re.test(f.n);
    f.r.setAttribute("fill", hit ? "rgb(230,0,230)" : f.r.getAttribute("data-fill"));
  });
  var seen = [];	/* width of the union of matches (no double counting of nested) */
  boxes.forEach(function (f) {
    if (term === "" || !re.test(f.n)) return;
    for (var i = 0; i < seen.length; i++)
      if (f.x >= seen[i].x && f.x + f.w <= seen[i].x + seen[i].w) return;
    seen.push(f); total += f.w;
  });
  matched.textContent = term === "" ? "" :
    "Matched: " + (100 * total / root.w).toFixed(1) + "%";
}
window.addEventListener("load", init);
]]></script>
]=]

-- M.svg(t [, opts]) -> SVG text. t: { [folded] = value }. opts: title, width (1200),
-- unit ("samples", "us"), height of a frame (16).
function M.svg(t, opts)
	opts = opts or {}
	local root = build(t)
	local width, fh, pad = opts.width or 1200, opts.frame_height or 16, 10
	local depth = depth_of(root)
	local top = 50
	local height = top + depth * fh + 40
	local unit = opts.unit or "samples"
	local scale = root.value > 0 and (width - 2 * pad) / root.value or 0
	local out = {}
	local function w(s) out[#out + 1] = s end
	w('<?xml version="1.0" standalone="no"?>\n')
	w(('<svg version="1.1" width="%d" height="%d" viewBox="0 0 %d %d" data-width="%d" '
	   .. 'xmlns="http://www.w3.org/2000/svg">\n'):format(width, height, width, height, width))
	w('<style>text { font-family: Verdana, sans-serif; font-size: 12px; fill: #000; } '
		.. 'g.f:hover rect { stroke: #000; stroke-width: 0.5; } g.f { cursor: pointer; } '
		.. '.btn { cursor: pointer; fill: #338; }</style>\n')
	w(SCRIPT)
	w(('<rect x="0" y="0" width="%d" height="%d" fill="#f8f8f0"/>\n'):format(width, height))
	w(('<text x="%d" y="24" text-anchor="middle" style="font-size:17px">%s</text>\n')
		:format(width // 2, esc(opts.title or "Flame Graph")))
	w('<text id="reset" class="btn" x="10" y="24">Reset zoom</text>\n')
	w(('<text id="search" class="btn" x="%d" y="24" text-anchor="end">Search</text>\n')
		:format(width - 10))
	w(('<text id="matched" x="%d" y="%d" text-anchor="end"></text>\n'):format(width - 10, height - 12))
	w(('<text id="details" x="10" y="%d"></text>\n'):format(height - 12))
	local function emit(node, x, d)
		local wpx = node.value * scale
		if wpx < 0.1 then return end
		local y = height - 40 - (d + 1) * fh
		local pct = root.value > 0 and 100 * node.value / root.value or 0
		local name = esc(node.name)
		-- children first, sorted by name like flamegraph.pl (stable output)
		local names = {}
		for n in pairs(node.children) do names[#names + 1] = n end
		table.sort(names)
		local cx = x
		for _, n in ipairs(names) do
			emit(node.children[n], cx, d + 1)
			cx = cx + node.children[n].value * scale
		end
		local chars = math.floor((wpx - 6) / 7)
		local label = chars < 3 and "" or #node.name <= chars and node.name
		              or node.name:sub(1, chars - 2) .. ".."
		local fill = d == 0 and "rgb(220,220,220)" or color(node.name)
		w(('<g class="f" data-name="%s"><title>%s (%s %s, %.2f%%)</title>'
		   .. '<rect x="%.2f" y="%d" width="%.2f" height="%d" fill="%s" data-fill="%s" rx="2"/>'
		   .. '<text x="%.2f" y="%d">%s</text></g>\n')
			:format(name, name, math.tointeger(node.value) or node.value, unit, pct, x, y, wpx,
			        fh - 1, fill, fill, x + 3, y + fh - 4, esc(label)))
	end
	emit(root, pad, 0)
	w('</svg>\n')
	return table.concat(out)
end

-- M.write(path, source [, opts]): source as folded.collect takes it (a probe, an agg, a
-- table); opts also go to folded.collect (value, scale, comm). Returns the total value.
function M.write(path, source, opts)
	opts = opts or {}
	local t = folded.collect(source, opts)
	local f = assert(require("ltrace.core").create(path))
	f:write(M.svg(t, opts))
	f:close()
	local total = 0
	for _, v in pairs(t) do total = total + v end
	return total
end

return M
