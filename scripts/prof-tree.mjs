// Merged call tree below every call of a function in a .cpuprofile (e.g. one from
// `bench/cpu-ab.ts --profile=DIR`), inclusive ms per callee: where one step's time goes, which
// flat self-time tables (node /work/tools/prof.mjs) hide. Run: node scripts/prof-tree.mjs FILE NAME [depth=4] [minMs=3]
import { readFileSync } from 'node:fs'

const [file, name, depthArg, minArg] = process.argv.slice(2)
if (!file || !name) throw new Error('usage: node scripts/prof-tree.mjs FILE.cpuprofile FUNCTION [depth] [minMs]')
const depth = Number(depthArg ?? 4)
const minUs = Number(minArg ?? 3) * 1000
const p = JSON.parse(readFileSync(file, 'utf8'))
const self = new Map()
for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0))
const byId = new Map(p.nodes.map((n) => [n.id, n]))
const parent = new Map()
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const label = (n) =>
  `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.columnNumber + 1}`
const memo = new Map()
const inclusive = (id) => {
  if (!memo.has(id)) memo.set(id, (self.get(id) ?? 0) + (byId.get(id).children ?? []).reduce((t, c) => t + inclusive(c), 0))
  return memo.get(id)
}
const node = () => ({ total: 0, self: 0, kids: new Map() })
const merge = (id, into, d) => {
  into.total += inclusive(id)
  into.self += self.get(id) ?? 0
  if (d >= depth) return
  for (const c of byId.get(id).children ?? []) {
    const k = label(byId.get(c))
    if (!into.kids.has(k)) into.kids.set(k, node())
    merge(c, into.kids.get(k), d + 1)
  }
}
const named = (id) => byId.get(id).callFrame.functionName === name
const nested = (id) => {
  for (let q = parent.get(id); q; q = parent.get(q)) if (named(q)) return true
  return false
}
const root = node()
for (const n of p.nodes) if (named(n.id) && !nested(n.id)) merge(n.id, root, 0)
const ms = (us) => (us / 1000).toFixed(1)
console.log(`${name}: ${ms(root.total)} ms (self ${ms(root.self)})`)
const show = (n, indent) => {
  for (const [k, v] of [...n.kids].sort((a, b) => b[1].total - a[1].total)) {
    if (v.total < minUs) continue
    console.log(`${' '.repeat(indent)}${ms(v.total)} (self ${ms(v.self)}) ${k}`)
    show(v, indent + 2)
  }
}
show(root, 2)
