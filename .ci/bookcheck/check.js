#!/usr/bin/env node
// bookcheck (CI only, .ci/run): open every page of a built mdBook in
// a real browser (Debian's chromium, driven by playwright-core) and
// report every code block, <pre>, table and table cell whose content
// is wider than the box it sits in: a line cut at the column edge, or
// hidden behind a horizontal scroll bar.
//
// Usage:
//   node check.js BOOK_DIR [--sizes 1280x800,1024x768] [--shots DIR]
//                 [--no-shots] [--page NAME.html]...
// BOOK_DIR is mdBook's output (`mdbook build docs -d BOOK_DIR`). The
// book is served over http://127.0.0.1 by `python3 -m http.server`, as
// a learner's browser would load it (fonts, CSS, JS). Exit status 0:
// nothing overflows; 1: something does (listed on stdout); 2: usage or
// setup error. Full-page screenshots go to DIR/WxH/PAGE.png, and a
// close-up of each overflowing element to DIR/WxH/PAGE-N.png (N as in
// the report's #N); default DIR: shots/ beside this script, emptied of
// old PNGs first.
//
// What is measured, per page and window size, after the page's fonts
// have loaded:
// - code blocks (pre > code) and any <pre>: each visible line's
//   rendered right edge (a DOM Range over its text) against the right
//   edge of the block's content box; a line past it is reported with
//   how many pixels it sticks out and its first 100 characters;
// - tables: the table's width against the box that holds it (mdBook's
//   .table-wrapper scrolls, anything else spills); reported with the
//   cell whose unbreakable content is widest (what to shorten);
// - table cells (th, td) whose scrollWidth > clientWidth;
// - any other element in <main> that scrolls sideways (scrollWidth >
//   clientWidth with overflow-x not visible) or whose right edge passes
//   main's right edge outside such a scroller (a long URL, an image).
'use strict';

const { chromium } = require('playwright-core');
const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');
const http = require('http');

function usage(msg) {
  if (msg) process.stderr.write(`bookcheck: ${msg}\n`);
  process.stderr.write(
    'usage: node check.js BOOK_DIR [--sizes WxH,...] [--shots DIR]' +
      ' [--no-shots] [--page NAME.html]...\n',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const o = {
    book: null,
    sizes: [
      [1280, 800],
      [1024, 768],
    ],
    shots: path.join(__dirname, 'shots'),
    pages: [],
    chromium: process.env.CHROMIUM || '/usr/bin/chromium',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--sizes') {
      const v = argv[++i];
      if (!v) usage('--sizes needs WxH,...');
      o.sizes = v.split(',').map((s) => {
        const m = /^(\d+)x(\d+)$/.exec(s);
        if (!m) usage(`bad size ${s} (want WxH, e.g. 1280x800)`);
        return [Number(m[1]), Number(m[2])];
      });
    } else if (a === '--shots') {
      o.shots = argv[++i];
      if (!o.shots) usage('--shots needs a directory');
    } else if (a === '--no-shots') {
      o.shots = null;
    } else if (a === '--page') {
      const v = argv[++i];
      if (!v) usage('--page needs NAME.html');
      o.pages.push(v);
    } else if (a.startsWith('-')) {
      usage(`unknown option ${a}`);
    } else if (o.book === null) {
      o.book = a;
    } else {
      usage(`unexpected argument ${a}`);
    }
  }
  if (o.book === null) usage('BOOK_DIR missing');
  if (!fs.existsSync(path.join(o.book, 'index.html'))) {
    usage(`${o.book}/index.html not found: build with mdbook build -d`);
  }
  return o;
}

// The book's pages in reading order: the sidebar's links (toc.html in
// mdBook 0.4.52), else every *.html. print.html repeats every page and
// 404.html/toc.html are not chapters.
function listPages(book) {
  const skip = new Set(['print.html', '404.html', 'toc.html']);
  const seen = new Set();
  const out = [];
  const toc = path.join(book, 'toc.html');
  if (fs.existsSync(toc)) {
    const re = /href="([^"#?]+\.html)"/g;
    const text = fs.readFileSync(toc, 'utf8');
    let m;
    while ((m = re.exec(text)) !== null) {
      const p = m[1];
      if (!skip.has(p) && !seen.has(p)) {
        seen.add(p);
        out.push(p);
      }
    }
  }
  const walk = (dir, rel) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!['css', 'fonts', 'FontAwesome', 'figures'].includes(e.name)) {
          walk(path.join(dir, e.name), r);
        }
      } else if (r.endsWith('.html') && !skip.has(r) && !seen.has(r)) {
        // index.html is the first chapter again: checked as that page.
        if (r === 'index.html' && out.length > 0) continue;
        seen.add(r);
        out.push(r);
      }
    }
  };
  walk(book, '');
  return out;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(1000, () => {
      req.destroy();
      resolve(0);
    });
  });
}

// python3 -m http.server on 127.0.0.1; ready when it answers (polled
// with a 10 s deadline).
async function serve(book) {
  const port = await freePort();
  const child = spawn(
    'python3',
    ['-m', 'http.server', String(port), '--bind', '127.0.0.1',
      '--directory', path.resolve(book)],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
  });
  const base = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 10000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`http.server exited: ${err.trim()}`);
    }
    if ((await get(base + 'index.html')) === 200) break;
    if (Date.now() > deadline) {
      child.kill();
      throw new Error('http.server did not answer within 10 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, child };
}

// Runs in the page. Returns a list of findings.
function measure() {
  const main = document.querySelector('main') || document.body;
  const found = [];
  const px = (v) => parseFloat(v) || 0;
  const clip = (s) => {
    const one = s.replace(/\s+$/, '');
    return one.length > 100 ? one.slice(0, 100) : one;
  };
  const contentRight = (el) => {
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    return r.left + el.clientLeft + el.clientWidth - px(cs.paddingRight);
  };
  const visible = (node) => {
    const el = node.parentElement;
    return el && el.getClientRects().length > 0;
  };
  const sel = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.className && typeof el.className === 'string') {
      const c = el.className.split(/\s+/).filter(Boolean).slice(0, 2);
      if (c.length) s += '.' + c.join('.');
    }
    return s;
  };
  // Section heading before el, so a finding can be found in the page.
  const section = (el) => {
    const hs = main.querySelectorAll('h1, h2, h3, h4');
    let last = '';
    for (const h of hs) {
      const pos = h.compareDocumentPosition(el);
      if (pos & Node.DOCUMENT_POSITION_FOLLOWING) last = h.textContent;
      else break;
    }
    return last.trim();
  };

  // Each rendered line of a block, with its right edge.
  const lines = (el) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const segs = []; // [node, start, end, lineIndex]
    const text = [''];
    let n;
    while ((n = walker.nextNode())) {
      if (!visible(n)) continue;
      const t = n.data;
      let start = 0;
      for (let i = 0; i <= t.length; i++) {
        if (i === t.length || t[i] === '\n') {
          if (i > start) {
            segs.push([n, start, i, text.length - 1]);
            text[text.length - 1] += t.slice(start, i);
          }
          if (i < t.length) text.push('');
          start = i + 1;
        }
      }
    }
    const right = new Array(text.length).fill(-Infinity);
    const range = document.createRange();
    for (const [node, s, e, li] of segs) {
      range.setStart(node, s);
      range.setEnd(node, e);
      for (const r of range.getClientRects()) {
        if (r.width > 0) right[li] = Math.max(right[li], r.right);
      }
    }
    return text.map((t, i) => ({ text: t, right: right[i], no: i + 1 }));
  };

  // Each finding's element is tagged so the caller can screenshot it.
  let tags = 0;
  const tag = (el) => {
    if (!el.hasAttribute('data-bookcheck')) {
      el.setAttribute('data-bookcheck', String(++tags));
    }
    return el.getAttribute('data-bookcheck');
  };

  const reported = new Set();
  const blocks = new Set();
  for (const pre of main.querySelectorAll('pre')) {
    const code = pre.querySelector(':scope > code');
    blocks.add(code || pre);
  }
  for (const el of blocks) {
    const pre = el.closest('pre') || el;
    // The box the text must stay inside: the block's own content box,
    // and never past the pre (in case the code box itself is wider).
    const limit = Math.min(contentRight(el), contentRight(pre));
    const cls = (el.className || '').toString();
    const lang = (/language-([\w,-]+)/.exec(cls) || [])[1] || '';
    let bad = 0;
    for (const l of lines(el)) {
      const over = l.right - limit;
      if (over > 0.5) {
        bad++;
        found.push({
          tag: tag(pre),
          kind: `code block${lang ? ' (' + lang + ')' : ''}`,
          section: section(pre),
          line: l.no,
          cols: l.text.length,
          over: Math.round(over),
          text: clip(l.text),
        });
      }
    }
    const scrolls = el.scrollWidth > el.clientWidth + 1;
    if (scrolls && bad === 0) {
      found.push({
        tag: tag(pre),
        kind: `code block${lang ? ' (' + lang + ')' : ''} scrolls`,
        section: section(pre),
        over: el.scrollWidth - el.clientWidth,
        text: clip(el.innerText.split('\n')[0]),
      });
    }
    reported.add(el);
    reported.add(pre);
  }

  // Widest unbreakable content of a cell: lay a copy out at min-content.
  const minContent = (cell) => {
    const probe = document.createElement('div');
    const cs = getComputedStyle(cell);
    probe.style.cssText =
      'position:absolute;visibility:hidden;left:0;top:0;' +
      'width:min-content;white-space:' + cs.whiteSpace + ';font:' +
      cs.font + ';padding:' + cs.padding + ';border:' + cs.border;
    probe.innerHTML = cell.innerHTML;
    cell.appendChild(probe);
    const w = probe.getBoundingClientRect().width;
    probe.remove();
    return w;
  };
  for (const table of main.querySelectorAll('table')) {
    const holder = table.parentElement;
    const avail = Math.min(contentRight(holder), contentRight(main));
    const tr = table.getBoundingClientRect();
    const over = tr.right - avail;
    if (over > 0.5) {
      // Per column, the cell whose unbreakable content is widest: the
      // table cannot be narrower than the sum of these (plus padding).
      const cols = [];
      for (const row of table.rows) {
        let c = 0;
        for (const cell of row.cells) {
          const w = minContent(cell);
          if (!cols[c] || w > cols[c].w) cols[c] = { w, cell };
          c += cell.colSpan || 1;
        }
      }
      const widest = cols.reduce((a, b) => (b && b.w > a.w ? b : a));
      const row = widest.cell.closest('tr');
      const flat = (el) => el.innerText.replace(/\s+/g, ' ').trim();
      found.push({
        tag: tag(holder),
        kind: holder.classList.contains('table-wrapper')
          ? 'table (scrolls sideways)'
          : 'table (spills)',
        section: section(table),
        over: Math.round(over),
        text: clip(
          `widest cell (${Math.round(widest.w)}px): ${flat(widest.cell)}` +
            ` | row: ${flat(row)}`,
        ),
        detail: cols.map(
          (c, i) =>
            `column ${i + 1} needs ${Math.round(c.w)}px for: ` +
            clip(flat(c.cell)),
        ),
      });
    }
    reported.add(table);
    reported.add(holder);
    for (const cell of table.querySelectorAll('th, td')) {
      if (cell.scrollWidth > cell.clientWidth + 1) {
        found.push({
          tag: tag(cell),
          kind: `table cell (${cell.tagName.toLowerCase()}) cut`,
          section: section(table),
          over: cell.scrollWidth - cell.clientWidth,
          text: clip(cell.innerText.replace(/\s+/g, ' ')),
        });
      }
    }
  }

  // Anything else in main that scrolls sideways or spills out.
  const mainRight = contentRight(main);
  const inReported = (el) => {
    for (let a = el; a && a !== main; a = a.parentElement) {
      if (reported.has(a)) return true;
    }
    return false;
  };
  const inScroller = (el) => {
    for (let a = el.parentElement; a && a !== main; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  for (const el of main.querySelectorAll('*')) {
    if (inReported(el)) continue;
    const cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.position === 'fixed') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (cs.overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1) {
      found.push({
        tag: tag(el),
        kind: `${sel(el)} scrolls`,
        section: section(el),
        over: el.scrollWidth - el.clientWidth,
        text: clip(el.innerText.split('\n')[0]),
      });
      reported.add(el);
    } else if (r.right > mainRight + 1 && !inScroller(el)) {
      found.push({
        tag: tag(el),
        kind: `${sel(el)} spills`,
        section: section(el),
        over: Math.round(r.right - mainRight),
        text: clip(el.innerText.split('\n')[0] || el.outerHTML),
      });
      reported.add(el);
    }
  }
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1) {
    found.push({
      kind: 'page scrolls sideways',
      section: '',
      over: doc.scrollWidth - doc.clientWidth,
      text: '',
    });
  }
  return found;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const pages = o.pages.length ? o.pages : listPages(o.book);
  const { base, child } = await serve(o.book);
  let browser;
  let total = 0;
  const summary = [];
  try {
    browser = await chromium.launch({
      executablePath: o.chromium,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    for (const [w, h] of o.sizes) {
      const size = `${w}x${h}`;
      // A fresh context per size: no stored sidebar state, so mdBook
      // decides the sidebar as for a first visit (shown from 1080 px).
      const ctx = await browser.newContext({
        viewport: { width: w, height: h },
        deviceScaleFactor: 1,
        colorScheme: 'light',
      });
      const page = await ctx.newPage();
      if (o.shots) {
        const dir = path.join(o.shots, size);
        fs.mkdirSync(dir, { recursive: true });
        for (const f of fs.readdirSync(dir)) {
          if (f.endsWith('.png')) fs.unlinkSync(path.join(dir, f));
        }
      }
      for (const p of pages) {
        const resp = await page.goto(base + p, { waitUntil: 'load' });
        if (!resp || resp.status() !== 200) {
          throw new Error(`${p}: HTTP ${resp ? resp.status() : 'no answer'}`);
        }
        await page.evaluate(() => document.fonts.ready);
        const found = await page.evaluate(measure);
        // Widths depend on the code font: mdBook ships Source Code Pro
        // (fonts/), and a page measured in a fallback font proves nothing.
        const mono = await page.evaluate(() => {
          const c = document.querySelector('main pre > code');
          if (!c) return null;
          const fam = getComputedStyle(c).fontFamily.split(',')[0]
            .trim().replace(/^["']|["']$/g, '');
          const faces = [...document.fonts].filter((f) =>
            f.family.replace(/^["']|["']$/g, '') === fam);
          return { fam, faces: faces.length,
            loaded: faces.filter((f) => f.status === 'loaded').length };
        });
        if (mono && (mono.faces === 0 || mono.loaded === 0)) {
          throw new Error(
            `${p}: code font ${mono.fam} not loaded (${mono.faces} faces)`,
          );
        }
        for (const f of found) {
          const where = f.section ? ` [${f.section}]` : '';
          const line = f.line ? ` line ${f.line} (${f.cols} cols)` : '';
          const shot = o.shots && f.tag ? ` #${f.tag}` : '';
          process.stdout.write(
            `${size} ${p}${where}${shot}: ${f.kind}${line}, ` +
              `+${f.over}px: ${f.text}\n`,
          );
          for (const d of f.detail || []) process.stdout.write(`    ${d}\n`);
        }
        total += found.length;
        summary.push([size, p, found.length]);
        if (o.shots) {
          const stem = path.join(o.shots, size, p.replace(/\//g, '_'));
          await page.screenshot({ path: stem + '.png', fullPage: true });
          // One close-up per overflowing element (a block with several
          // long lines is shot once): what the learner sees there.
          const done = new Set();
          for (const f of found) {
            if (!f.tag || done.has(f.tag)) continue;
            done.add(f.tag);
            const el = page.locator(`[data-bookcheck="${f.tag}"]`);
            await el.screenshot({ path: `${stem}-${f.tag}.png` });
          }
        }
      }
      await ctx.close();
    }
  } finally {
    if (browser) await browser.close();
    child.kill();
  }
  process.stdout.write('\nper page (size page findings):\n');
  for (const [s, p, n] of summary) {
    process.stdout.write(`  ${s} ${p} ${n}\n`);
  }
  process.stdout.write(
    `${total} overflow(s) on ${pages.length} page(s) at ` +
      `${o.sizes.map((s) => s.join('x')).join(', ')}\n`,
  );
  process.exit(total === 0 ? 0 : 1);
}

main().catch((e) => {
  process.stderr.write(`bookcheck: ${e.message}\n`);
  process.exit(2);
});
