// Bundles and minifies the widget's ES modules into the one file the server sends:
//   node widget/build.js [OUTFILE]     (default: api/static/widget.js, which is committed)
// The same esbuild version (package-lock.json) always writes the same bytes, so a test can
// rebuild into a temporary file and compare.

import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const outfile = process.argv[2] || `${projectRoot}api/static/widget.js`;

const BANNER = `/*! Tandem chat widget. Built by esbuild from widget/src/ (make widget); do not edit.
 * Embed: <script src="https://HOST/widget.js" data-tandem-key="..." async></script>
 * Optional data-title, data-greeting, data-color (#rgb/#rrggbb), data-position (right|left), data-locale. */`;

await build({
  entryPoints: [`${projectRoot}widget/src/main.js`],
  outfile,
  bundle: true,
  minify: true,
  // One classic script that runs at once: document.currentScript is only set while it does.
  format: 'iife',
  // async functions, no newer syntax: what the hand-written widget needed.
  target: ['es2017'],
  banner: { js: BANNER },
  legalComments: 'none',
  logLevel: 'warning',
});
