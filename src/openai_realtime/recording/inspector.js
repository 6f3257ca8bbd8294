"use strict";
// The session inspector's drawing: lanes on a zoomable time axis, labels laid out in rows so
// none overlaps another, and the lists and tables under it. Everything comes from the JSON in
// #session-data; nothing is fetched.
(() => {
  const data = JSON.parse(document.getElementById("session-data").textContent);
  const SVG_NS = "http://www.w3.org/2000/svg";
  const LEFT = 130, RIGHT = 20, TOP = 8, AXIS = 30, BAR = 18, ROW = 15, MAX_ROWS = 3, GAP = 8;
  const MAX_CHARS = 90, MIN_LABEL_PX = 40, MIN_RANGE = 0.005;
  const svg = document.getElementById("lanes");
  // A little room after the last event, so a marker there is drawn whole.
  const full = Math.max(data.duration * 1.02, MIN_RANGE);
  const view = { t0: 0, t1: full };
  const measure = document.createElement("canvas").getContext("2d");
  measure.font = "11px system-ui, sans-serif";

  function node(name, attrs, parent, text) {
    const element = document.createElementNS(SVG_NS, name);
    for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, value);
    if (text !== undefined) element.textContent = text;
    if (parent) parent.appendChild(element);
    return element;
  }

  function seconds(value) {
    if (value === null || value === undefined) return "–";
    if (value < 0.01) return `${(value * 1000).toFixed(1)} ms`;
    return value < 1 ? `${Math.round(value * 1000)} ms` : `${value.toFixed(2)} s`;
  }

  function setView(t0, t1) {
    const width = Math.min(Math.max(t1 - t0, MIN_RANGE), full);
    const start = Math.max(0, Math.min(t0, full - width));
    view.t0 = start;
    view.t1 = start + width;
    render();
  }

  function zoom(factor, center) {
    const at = center === undefined ? (view.t0 + view.t1) / 2 : center;
    const start = at - (at - view.t0) * factor;
    setView(start, start + (view.t1 - view.t0) * factor);
  }

  function pan(delta) {
    setView(view.t0 + delta, view.t1 + delta);
  }

  // A label's text cut to the room it has, or null when there is too little room for words.
  function fitted(text, room) {
    let shown = text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS - 1)}…` : text;
    if (room < MIN_LABEL_PX) return null;
    while (measure.measureText(shown).width > room && shown.length > 2) {
      shown = `${shown.slice(0, Math.max(1, Math.floor(shown.length * 0.8)))}…`;
    }
    return shown.length > 2 ? shown : null;
  }

  function laneItems(lane) {
    const inView = (start, end) => end >= view.t0 && start <= view.t1;
    const spans = data.spans
      .filter((s) => s.lane === lane && inView(s.start, s.end))
      .map((s) => ({ ...s, at: s.start, marker: false }));
    const markers = data.markers
      .filter((m) => m.lane === lane && inView(m.at, m.at))
      .map((m) => ({ ...m, start: m.at, end: m.at, marker: true }));
    return [...spans, ...markers].sort((a, b) => a.start - b.start);
  }

  // Greedy rows: each label goes in the first row whose last label ends before it starts.
  function layoutLabels(items, x, right) {
    const rowEnds = [];
    const placed = [];
    for (const item of items) {
      if (!item.detail) continue;
      const anchor = Math.max(x(item.start), LEFT) + (item.marker ? 7 : 2);
      // Near the right edge a label ends at its item instead of starting there.
      const whole = measure.measureText(item.detail.slice(0, MAX_CHARS)).width;
      const flip = anchor + whole > right && item.marker && anchor - 14 - whole >= LEFT;
      const left = flip ? anchor - 14 - whole : anchor;
      const text = fitted(item.detail, right - left);
      if (text === null) continue;
      const width = measure.measureText(text).width;
      let row = rowEnds.findIndex((end) => end + GAP <= left);
      if (row === -1 && rowEnds.length < MAX_ROWS) row = rowEnds.push(0) - 1;
      if (row === -1) continue; // no room: the tooltip of its bar or marker has the words
      rowEnds[row] = left + width;
      placed.push({ item, text, left, row });
    }
    return { placed, rows: Math.max(1, rowEnds.length) };
  }

  function drawAxis(x, y, right) {
    const range = view.t1 - view.t0;
    const rough = range / 10;
    const power = 10 ** Math.floor(Math.log10(rough));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough);
    for (let t = Math.ceil(view.t0 / step) * step; t <= view.t1 + 1e-9; t += step) {
      const tick = node("g", { class: "tick" }, svg);
      node("line", { x1: x(t), x2: x(t), y1: TOP, y2: y }, tick);
      const label = step < 1 ? `${(t * 1000).toFixed(0)} ms` : `${Math.round(t)} s`;
      node("text", { x: x(t), y: y + 16 }, tick, label);
    }
    node("line", { class: "lane-line", x1: LEFT, x2: right, y1: y, y2: y }, svg);
  }

  function render() {
    svg.textContent = "";
    const width = svg.clientWidth || 1000;
    const right = width - RIGHT;
    const x = (t) => LEFT + ((t - view.t0) / (view.t1 - view.t0)) * (right - LEFT);
    const clip = node("clipPath", { id: "plot" }, node("defs", {}, svg));
    let top = TOP;
    const lanes = data.lanes.map((lane) => {
      const items = laneItems(lane);
      const labels = layoutLabels(items, x, right);
      const height = BAR + 8 + labels.rows * ROW + 6;
      const drawn = { lane, items, labels, top, height };
      top += height;
      return drawn;
    });
    const bottom = top;
    node("rect", { x: LEFT, y: 0, width: right - LEFT, height: bottom }, clip);
    drawAxis(x, bottom, right);
    for (const { lane, items, labels, top: laneTop, height } of lanes) {
      const barY = laneTop + 4;
      node("text", { class: "lane-name", x: LEFT - 8, y: barY + BAR / 2 }, svg, lane);
      node("line", { class: "lane-line", x1: 0, x2: width, y1: laneTop + height, y2: laneTop + height }, svg);
      const group = node("g", { "clip-path": "url(#plot)", "data-lane": lane }, svg);
      for (const item of items) {
        const color = data.colors[item.kind] || "#868e96";
        let shape;
        if (item.marker) {
          const cx = x(item.at), cy = barY + BAR / 2, r = 6;
          shape = node("path", {
            class: `marker ${item.kind}`,
            d: `M${cx} ${cy - r}L${cx + r} ${cy}L${cx} ${cy + r}L${cx - r} ${cy}Z`,
            fill: color,
          }, group);
        } else {
          const left = x(item.start);
          shape = node("rect", {
            class: `span ${item.kind}`, x: left, y: barY,
            width: Math.max(1.5, x(item.end) - left), height: BAR, fill: color,
          }, group);
          if (item.response) {
            shape.dataset.response = item.response;
            shape.addEventListener("click", () => selectResponse(item.response));
          }
        }
        node("title", {}, shape, `${seconds(item.start)}: ${item.detail || item.kind}`);
      }
      for (const { item, text, left, row } of labels.placed) {
        const label = node("text", {
          class: `label${item.kind === "error" ? " error" : ""}`,
          x: left, y: barY + BAR + (row + 1) * ROW - 2, "data-lane": lane,
        }, group, text);
        node("title", {}, label, item.detail);
      }
    }
    svg.setAttribute("height", bottom + AXIS);
    svg.setAttribute("viewBox", `0 0 ${width} ${bottom + AXIS}`);
    svg.dataset.t0 = view.t0;
    svg.dataset.t1 = view.t1;
    document.getElementById("range").textContent =
      `${seconds(view.t0)} – ${seconds(view.t1)} of ${seconds(full)}`;
  }

  function selectResponse(id) {
    for (const item of document.querySelectorAll("#responses li")) {
      item.classList.toggle("selected", item.dataset.response === id);
    }
    const chosen = document.querySelector(`#responses li[data-response="${CSS.escape(id)}"]`);
    if (chosen) chosen.scrollIntoView({ block: "nearest" });
  }

  function fillLists() {
    const legend = document.getElementById("legend");
    for (const [kind, color] of Object.entries(data.colors)) {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = color;
      item.append(swatch, kind);
      legend.appendChild(item);
    }
    const responses = document.getElementById("responses");
    for (const response of data.responses) {
      const item = document.createElement("li");
      item.dataset.response = response.id;
      const heading = document.createElement("strong");
      heading.textContent = `${response.id} at ${seconds(response.at)} (${response.status || "not done"})`;
      const words = document.createElement("div");
      words.className = "words";
      words.textContent = response.words || "(no words)";
      item.append(heading, words);
      if (response.audio) {
        const audio = document.createElement("audio");
        audio.controls = true;
        audio.preload = "metadata";
        audio.src = response.audio;
        item.appendChild(audio);
      } else {
        const none = document.createElement("em");
        none.textContent = "no audio in the recording";
        item.appendChild(none);
      }
      responses.appendChild(item);
    }
    const fill = (selector, rows) => {
      const body = document.querySelector(`${selector} tbody`);
      for (const cells of rows) {
        const row = body.insertRow();
        for (const [text, numeric] of cells) {
          const cell = row.insertCell();
          cell.textContent = text;
          if (numeric) cell.className = "num";
        }
      }
    };
    const count = (value) => (value === null || value === undefined ? "–" : String(value));
    fill("#turns", data.turns.map((t) => [
      [t.response], [t.status || "not done"], [seconds(t.speech_to_audio), true],
      [seconds(t.created_to_first_delta), true], [seconds(t.duration), true],
      [count(t.input_tokens), true], [count(t.output_tokens), true], [count(t.total_tokens), true],
    ]));
    fill("#errors", data.errors.length
      ? data.errors.map((e) => [[seconds(e.at), true], [e.code || ""], [e.message]])
      : [[["–"], ["–"], ["no errors"]]]);
  }

  function timeAt(clientX) {
    const box = svg.getBoundingClientRect();
    const fraction = (clientX - box.left - LEFT) / (box.width - LEFT - RIGHT);
    return view.t0 + Math.min(Math.max(fraction, 0), 1) * (view.t1 - view.t0);
  }

  function wire() {
    document.getElementById("zoom-in").addEventListener("click", () => zoom(0.5));
    document.getElementById("zoom-out").addEventListener("click", () => zoom(2));
    document.getElementById("zoom-reset").addEventListener("click", () => setView(0, full));
    svg.addEventListener("wheel", (event) => {
      event.preventDefault();
      zoom(event.deltaY > 0 ? 1.25 : 0.8, timeAt(event.clientX));
    }, { passive: false });
    let drag = null;
    svg.addEventListener("pointerdown", (event) => {
      drag = { x: event.clientX, t0: view.t0, t1: view.t1 };
      svg.classList.add("dragging");
    });
    window.addEventListener("pointermove", (event) => {
      if (drag === null) return;
      const plot = svg.getBoundingClientRect().width - LEFT - RIGHT;
      const shift = ((drag.x - event.clientX) / plot) * (drag.t1 - drag.t0);
      setView(drag.t0 + shift, drag.t1 + shift);
    });
    window.addEventListener("pointerup", () => {
      drag = null;
      svg.classList.remove("dragging");
    });
    document.addEventListener("keydown", (event) => {
      const step = (view.t1 - view.t0) / 10;
      const keys = {
        "+": () => zoom(0.5), "=": () => zoom(0.5), "-": () => zoom(2),
        "0": () => setView(0, full), ArrowLeft: () => pan(-step), ArrowRight: () => pan(step),
      };
      if (keys[event.key]) keys[event.key]();
    });
    window.addEventListener("resize", render);
  }

  fillLists();
  wire();
  render();
  window.inspector = { view: () => ({ ...view }), zoom, pan, setView };
})();
