#!/usr/bin/env node
// julia-syntax.js — syntax check of Julia files with tree-sitter-julia, no Julia needed.
//
// Usage: node scripts/julia-syntax.js FILE.jl...   (normally run via scripts/check-julia-syntax,
// which installs tree-sitter@0.21.1 and tree-sitter-julia@0.23.1 into .local/node/).
// Prints "file:line:column: message" (1-based) for every ERROR or MISSING node of the parse
// tree. Exit status: 0 all files parse, 1 syntax errors found, 2 usage or I/O error.
// The module folder can be overridden with JULIA_SYNTAX_NODE_DIR (default: ../.local/node).
'use strict';
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const nodeDir = process.env.JULIA_SYNTAX_NODE_DIR ||
  path.join(__dirname, '..', '.local', 'node');
const req = createRequire(path.join(path.resolve(nodeDir), 'package.json'));
const Parser = req('tree-sitter');
const Julia = req('tree-sitter-julia');

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: julia-syntax.js FILE.jl...');
  process.exit(2);
}

const parser = new Parser();
parser.setLanguage(Julia);

// Collect ERROR / MISSING nodes, descending only into subtrees that contain an error.
function problems(root) {
  const out = [];
  const stack = [root];
  while (stack.length) {
    const n = stack.pop();
    if (n.isMissing) {
      out.push({ pos: n.startPosition, msg: `missing ${JSON.stringify(n.type)}` });
    } else if (n.type === 'ERROR') {
      const first = n.text.split('\n', 1)[0].trim().slice(0, 40);
      out.push({ pos: n.startPosition, msg: `syntax error near ${JSON.stringify(first)}` });
    }
    if (n.hasError) {
      let culprit = false;
      for (let i = n.childCount - 1; i >= 0; i--) {
        const c = n.child(i);
        if (c.hasError || c.isMissing) culprit = true;
        stack.push(c);
      }
      // A MISSING token of a hidden rule is not listed as a child: report its visible parent.
      if (!culprit && !n.isMissing && n.type !== 'ERROR') {
        out.push({ pos: n.startPosition, msg: `missing ${JSON.stringify(n.type)}` });
      }
    }
  }
  return out.sort((a, b) => a.pos.row - b.pos.row || a.pos.column - b.pos.column);
}

let status = 0;
for (const file of files) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    console.error(`${file}: ${e.message}`);
    status = 2;
    continue;
  }
  // The default input buffer of the node binding is too small for large files.
  const tree = parser.parse(text, null, { bufferSize: 2 * text.length + 1024 });
  if (!tree.rootNode.hasError) continue;
  const found = problems(tree.rootNode);
  if (found.length === 0) found.push({ pos: tree.rootNode.startPosition, msg: 'syntax error' });
  const lines = text.split('\n');
  const MAX = 10; // one real error often cascades; the first ones matter
  if (found.length > MAX) {
    const more = found.length - MAX;
    found.length = MAX;
    found.push({ pos: found[MAX - 1].pos, msg: `... and ${more} more` });
  }
  for (const p of found) {
    // tree-sitter columns count UTF-8 bytes; report characters.
    const line = Buffer.from(lines[p.pos.row] || '', 'utf8');
    const col = line.subarray(0, p.pos.column).toString('utf8').length + 1;
    console.log(`${file}:${p.pos.row + 1}:${col}: ${p.msg}`);
  }
  if (status === 0) status = 1;
}
process.exit(status);
