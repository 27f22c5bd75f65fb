/** A route: method, a path with `:name` parameters, and its handler. */
export interface Route<C> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  path: string
  handle: (context: C, params: Record<string, string>) => Promise<Response>
}

interface Compiled<C> {
  route: Route<C>
  pattern: RegExp
  names: string[]
}

/** What {@link RouteTable.match} found: a route, a path known under another method, or nothing. */
export type RouteMatch<C> = { route: Route<C>; params: Record<string, string> } | 'method-not-allowed' | null

/** A fixed table of routes matched by method and path. */
export class RouteTable<C> {
  readonly #routes: Compiled<C>[]
  constructor(routes: Route<C>[]) {
    this.#routes = routes.map((route) => {
      const names: string[] = []
      const source = route.path.replace(/:([a-zA-Z]+)/g, (_, name: string) => {
        names.push(name)
        return '([^/]+)'
      })
      return { route, names, pattern: new RegExp(`^${source}$`) }
    })
  }

  match(method: string, path: string): RouteMatch<C> {
    let known = false
    for (const { route, pattern, names } of this.#routes) {
      const m = pattern.exec(path)
      if (!m) continue
      known = true
      if (route.method !== method) continue
      const params: Record<string, string> = {}
      names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)))
      return { route, params }
    }
    return known ? 'method-not-allowed' : null
  }
}
