// The portal's web UI: plain ES module, no build step, no framework. Every page is rendered from
// the JSON API; text is only ever added as text nodes, so no payload can inject markup.

const base = document.body.dataset.base ?? ''
const view = document.body.dataset.view ?? 'endpoints'
const api = `${base}/api/v1`
const statusBox = document.getElementById('status')
const root = document.getElementById('view')

/** Creates an element: h('a', { href: '/x', class: 'button' }, 'text', child). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v)
    else if (k === 'class') el.className = v
    else el.setAttribute(k, v === true ? '' : String(v))
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c))
  return el
}

/** Replaces the page's content; lists are flattened, absent parts (null, false) left out. */
function render(...children) {
  root.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false))
}

async function call(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { accept: 'application/json' } }
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  const res = await fetch(`${api}${path}`, init)
  const data = await res.json().catch(() => ({}))
  if (!res.ok) throw new Error(data.error?.message ?? `request failed (${res.status})`)
  return data
}

function say(message, kind = 'info') {
  statusBox.replaceChildren(h('p', { class: `notice ${kind}` }, message))
}

function guard(fn) {
  return async (event) => {
    event?.preventDefault?.()
    try {
      await fn(event)
    } catch (err) {
      say(err.message, 'error')
    }
  }
}

const time = (ms) =>
  ms === null || ms === undefined
    ? '—'
    : new Date(ms)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC')
const idFromPath = () => decodeURIComponent(location.pathname.slice(base.length).split('/')[2] ?? '')
const badge = (state) => h('span', { class: `badge ${state}` }, state)

function setTitle(text) {
  document.getElementById('title').textContent = text
  document.title = `${text} · ${document.title.split(' · ').pop()}`
}

/** Parses "name: value" lines into a header object. */
function parseHeaders(text) {
  const headers = {}
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    const i = line.indexOf(':')
    if (i < 1) throw new Error(`header line "${line}" must look like "name: value"`)
    headers[line.slice(0, i).trim()] = line.slice(i + 1).trim()
  }
  return headers
}

function eventPicker(catalog, picked) {
  return h(
    'fieldset',
    { class: 'events' },
    h('legend', {}, 'Events to receive'),
    catalog
      .filter((e) => !e.type.includes('*'))
      .map((e) =>
        h(
          'label',
          { class: 'check' },
          h('input', { type: 'checkbox', name: 'events', value: e.type, checked: picked.includes(e.type) }),
          h('code', {}, e.type),
          e.description ? h('span', { class: 'muted' }, ` — ${e.description}`) : null,
        ),
      ),
  )
}

const field = (label, input, hint) =>
  h(
    'div',
    { class: 'field' },
    h('label', { for: input.id }, label),
    input,
    hint ? h('p', { class: 'hint', id: `${input.id}-hint` }, hint) : null,
  )

async function endpointsPage() {
  const [{ data: endpoints }, { data: stats }] = await Promise.all([call('GET', '/endpoints'), call('GET', '/stats')])
  render(
    h(
      'section',
      { class: 'stats', 'aria-label': 'Summary' },
      [
        ['Endpoints', stats.endpoints],
        ['Pending', stats.pending],
        ['Dead letters', stats.dead],
        ['Failed', stats.failed],
      ].map(([k, v]) => h('div', { class: 'stat' }, h('span', { class: 'value' }, v), h('span', { class: 'label' }, k))),
    ),
    h('p', {}, h('a', { class: 'button primary', href: `${base}/endpoints/new` }, 'New endpoint')),
    endpoints.length === 0
      ? h('p', { class: 'empty' }, 'No endpoints yet. Add one to start receiving webhooks.')
      : h(
          'table',
          { class: 'list', id: 'endpoints' },
          h('caption', {}, 'Your endpoints'),
          h(
            'thead',
            {},
            h('tr', {}, h('th', { scope: 'col' }, 'URL'), h('th', { scope: 'col' }, 'Events'), h('th', { scope: 'col' }, 'Status')),
          ),
          h(
            'tbody',
            {},
            endpoints.map((e) =>
              h(
                'tr',
                {},
                h(
                  'td',
                  {},
                  h('a', { href: `${base}/endpoints/${encodeURIComponent(e.id)}` }, e.url),
                  e.description ? h('div', { class: 'muted' }, e.description) : null,
                ),
                h('td', {}, (e.events ?? ['all events']).join(', ')),
                h('td', {}, badge(e.enabled ? 'enabled' : 'disabled')),
              ),
            ),
          ),
        ),
  )
}

async function endpointForm(existing) {
  const { data: catalog } = await call('GET', '/event-types')
  const url = h('input', {
    id: 'url',
    name: 'url',
    type: 'url',
    required: true,
    value: existing?.url ?? '',
    'aria-describedby': 'url-hint',
  })
  const description = h('input', { id: 'description', name: 'description', type: 'text', value: existing?.description ?? '' })
  const headers = h('textarea', { id: 'headers', name: 'headers', rows: 3, 'aria-describedby': 'headers-hint' })
  const form = h(
    'form',
    { id: 'endpoint-form', class: 'form' },
    field('Endpoint URL', url, 'Where we send the webhooks: an https:// address of yours.'),
    field('Description', description),
    eventPicker(catalog, existing?.events ?? []),
    field(
      'Custom headers',
      headers,
      existing
        ? `One "name: value" per line. Values are write-only; leave empty to keep ${Object.keys(existing.headers).join(', ') || 'none'}.`
        : 'One "name: value" per line, e.g. an API key your receiver expects. Values are write-only.',
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, existing ? 'Save changes' : 'Create endpoint')),
  )
  const read = () => {
    const body = {
      url: url.value,
      description: description.value || null,
      events: [...form.querySelectorAll('input[name=events]:checked')].map((i) => i.value),
    }
    if (body.events.length === 0) throw new Error('pick at least one event')
    if (headers.value.trim()) body.headers = parseHeaders(headers.value)
    return body
  }
  return { form, read }
}

async function createPage() {
  const { form, read } = await endpointForm(null)
  form.addEventListener(
    'submit',
    guard(async () => {
      const { data, secret } = await call('POST', '/endpoints', read())
      const link = h('a', { class: 'button primary', href: `${base}/endpoints/${encodeURIComponent(data.id)}` }, 'Continue to the endpoint')
      render(
        h(
          'section',
          { class: 'secret-once', 'aria-labelledby': 'secret-title' },
          h('h2', { id: 'secret-title' }, 'Your signing secret'),
          h('p', {}, 'Copy it now: it is shown only this once. Use it to verify the webhook-signature header of every request.'),
          h('pre', { id: 'secret', tabindex: 0 }, secret ?? '(this endpoint is not signed)'),
          link,
        ),
      )
      say('Endpoint created.', 'ok')
      link.focus()
    }),
  )
  render(form)
}

async function editPage() {
  const id = idFromPath()
  const { data: endpoint } = await call('GET', `/endpoints/${encodeURIComponent(id)}`)
  const { form, read } = await endpointForm(endpoint)
  form.addEventListener(
    'submit',
    guard(async () => {
      const body = read()
      if (body.url !== endpoint.url) body.keepCredentials = !body.headers
      await call('PATCH', `/endpoints/${encodeURIComponent(id)}`, body)
      location.assign(`${base}/endpoints/${encodeURIComponent(id)}`)
    }),
  )
  render(form)
}

function deliveryTable(deliveries, onReplay, caption) {
  if (deliveries.length === 0) return h('p', { class: 'empty', id: 'no-deliveries' }, 'No deliveries yet.')
  return h(
    'table',
    { class: 'list', id: 'deliveries' },
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Created', 'Event', 'State', 'Attempts', 'Last error', ''].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      [...deliveries]
        .reverse()
        .map((d) =>
          h(
            'tr',
            { 'data-delivery': d.id, 'data-state': d.state },
            h('td', {}, h('a', { href: `${base}/deliveries/${encodeURIComponent(d.id)}` }, time(d.createdAt))),
            h('td', {}, h('code', {}, d.eventType ?? '')),
            h('td', {}, badge(d.state)),
            h('td', {}, d.attempts),
            h('td', { class: 'error' }, d.lastError ?? ''),
            h(
              'td',
              {},
              (d.state === 'dead' || d.state === 'failed') && onReplay
                ? h('button', { type: 'button', onclick: guard(() => onReplay(d)) }, 'Replay')
                : '',
            ),
          ),
        ),
    ),
  )
}

async function endpointPage() {
  const id = idFromPath()
  const path = `/endpoints/${encodeURIComponent(id)}`
  const [{ data: e }, { data: catalog }, { data: session }] = await Promise.all([
    call('GET', path),
    call('GET', '/event-types'),
    call('GET', '/session'),
  ])
  setTitle(e.description || e.url)
  const can = (p) => session.permissions.includes(p)
  const log = h('div', { id: 'log' })
  const secretBox = h('div', { id: 'secret-box' })
  const refresh = async () => {
    const { data } = await call('GET', `${path}/deliveries?limit=100`)
    log.replaceChildren(deliveryTable(data, can('replay') ? replay : null, 'Delivery log'))
  }
  const replay = async (d) => {
    await call('POST', `/deliveries/${encodeURIComponent(d.id)}/replay`)
    say('Delivery queued again.', 'ok')
    await refresh()
  }
  const types = catalog.map((c) => c.type).filter((t) => !t.includes('*') && (e.events === null || e.events.includes(t)))
  const testType = h(
    'select',
    { id: 'test-type', name: 'type' },
    types.map((t) => h('option', { value: t }, t)),
  )
  const since = h('input', { id: 'since', type: 'datetime-local', name: 'since', required: true })
  render(
    h(
      'dl',
      { class: 'facts' },
      [
        ['URL', e.url],
        ['Status', e.enabled ? 'enabled' : `disabled (${e.disabledReason ?? ''})`],
        ['Events', (e.events ?? ['all events']).join(', ')],
        ['Custom headers', Object.keys(e.headers).join(', ') || 'none'],
        ['Signing', e.auth ?? 'none'],
        ['Created', time(e.createdAt)],
      ].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
    ),
    can('manage')
      ? h(
          'div',
          { class: 'actions' },
          h('a', { class: 'button', href: `${base}${path}/edit` }, 'Edit'),
          h(
            'button',
            {
              type: 'button',
              onclick: guard(async () => {
                await call('POST', `${path}/${e.enabled ? 'disable' : 'enable'}`)
                await endpointPage()
                say(e.enabled ? 'Endpoint disabled.' : 'Endpoint enabled.', 'ok')
              }),
            },
            e.enabled ? 'Disable' : 'Enable',
          ),
          h(
            'button',
            {
              type: 'button',
              class: 'danger',
              onclick: guard(async () => {
                if (!confirm('Delete this endpoint? Deliveries still owed to it will fail.')) return
                await call('DELETE', path)
                location.assign(`${base}/`)
              }),
            },
            'Delete',
          ),
        )
      : null,
    h(
      'section',
      { 'aria-labelledby': 'secret-title' },
      h('h2', { id: 'secret-title' }, 'Signing secret'),
      secretBox,
      h(
        'div',
        { class: 'actions' },
        can('reveal')
          ? h(
              'button',
              {
                type: 'button',
                onclick: guard(async () => {
                  const { data } = await call('POST', `${path}/secret/reveal`)
                  secretBox.replaceChildren(h('pre', { id: 'secret', tabindex: 0 }, data.secret))
                }),
              },
              'Reveal secret',
            )
          : null,
        can('manage')
          ? h(
              'button',
              {
                type: 'button',
                onclick: guard(async () => {
                  if (!confirm('Rotate the secret? The old one keeps signing for 24 hours.')) return
                  const { secret } = await call('POST', `${path}/secret/rotate`)
                  secretBox.replaceChildren(h('p', {}, 'New secret (shown once):'), h('pre', { id: 'secret', tabindex: 0 }, secret))
                }),
              },
              'Rotate secret',
            )
          : null,
      ),
    ),
    can('manage') && types.length > 0
      ? h(
          'form',
          {
            id: 'test-form',
            class: 'inline',
            onsubmit: guard(async () => {
              const { data } = await call('POST', `${path}/test`, { type: testType.value })
              say(`Test event ${data.type} sent.`, 'ok')
              await refresh()
            }),
          },
          h('label', { for: 'test-type' }, 'Test event type'),
          testType,
          h('button', { type: 'submit' }, 'Send test event'),
        )
      : null,
    h('h2', {}, 'Deliveries'),
    log,
    can('replay')
      ? h(
          'form',
          {
            id: 'replay-form',
            class: 'inline',
            onsubmit: guard(async () => {
              const { data } = await call('POST', '/replay-failed', { since: new Date(since.value).getTime(), endpointId: id })
              say(`${data.replayed} failed deliveries queued again.`, 'ok')
              await refresh()
            }),
          },
          h('label', { for: 'since' }, 'Replay everything failed since'),
          since,
          h('button', { type: 'submit' }, 'Replay failed'),
        )
      : null,
  )
  await refresh()
  clearInterval(window.portalTimer)
  window.portalTimer = setInterval(() => refresh().catch(() => {}), 1000)
}

async function deliveryPage() {
  const id = idFromPath()
  const [{ data: d }, { data: session }] = await Promise.all([
    call('GET', `/deliveries/${encodeURIComponent(id)}`),
    call('GET', '/session'),
  ])
  setTitle(`Delivery of ${d.eventType}`)
  render(
    h(
      'dl',
      { class: 'facts' },
      [
        ['State', d.state],
        ['Event', d.eventType],
        ['Event id', d.messageId],
        ['Attempts', d.attempts],
        ['Next attempt', time(d.nextAttemptAt)],
        ['Last error', d.lastError ?? '—'],
      ].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
    ),
    (d.state === 'dead' || d.state === 'failed') && session.permissions.includes('replay')
      ? h(
          'button',
          {
            type: 'button',
            onclick: guard(async () => {
              await call('POST', `/deliveries/${encodeURIComponent(id)}/replay`)
              await deliveryPage()
              say('Delivery queued again.', 'ok')
            }),
          },
          'Replay',
        )
      : null,
    h('h2', {}, 'Payload'),
    h('pre', { class: 'code', tabindex: 0 }, JSON.stringify(d.payload, null, 2)),
    h('h2', {}, 'Attempts'),
    d.attemptLog.length === 0
      ? h('p', { class: 'empty' }, 'Not attempted yet.')
      : d.attemptLog.map((a) =>
          h(
            'article',
            { class: 'attempt', 'data-outcome': a.outcome },
            h('h3', {}, `Attempt ${a.round} · ${time(a.startedAt)} · `, badge(a.outcome)),
            h(
              'dl',
              { class: 'facts' },
              [
                ['Status', a.statusCode ?? 'no response'],
                ['Latency', `${a.latencyMs} ms`],
                ['Error', a.error ?? '—'],
                ['URL', a.url],
              ].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
            ),
            h('h4', {}, 'Request headers'),
            h(
              'pre',
              { class: 'code' },
              Object.entries(a.requestHeaders)
                .map(([k, v]) => `${k}: ${v}`)
                .join('\n'),
            ),
            h('h4', {}, 'Response'),
            h('pre', { class: 'code' }, a.responseSnippet ?? ''),
          ),
        ),
  )
}

async function eventsPage() {
  const { data: catalog } = await call('GET', '/event-types')
  render(
    catalog.length === 0
      ? h('p', { class: 'empty' }, 'No event types are offered yet.')
      : h(
          'div',
          { class: 'catalog' },
          catalog.map((e) =>
            h(
              'article',
              { class: 'event-type', id: `type-${e.type}` },
              h('h2', {}, h('code', {}, e.type)),
              e.description ? h('p', {}, e.description) : null,
              h('h3', {}, 'Example payload'),
              h('pre', { class: 'code', tabindex: 0 }, e.example === null ? 'No example given.' : JSON.stringify(e.example, null, 2)),
            ),
          ),
        ),
  )
}

const views = {
  endpoints: endpointsPage,
  create: createPage,
  edit: editPage,
  endpoint: endpointPage,
  delivery: deliveryPage,
  events: eventsPage,
  'signed-out': async () => render(h('p', {}, 'Sign in to manage your webhooks.')),
}

async function start() {
  if (view !== 'signed-out') {
    const { data } = await call('GET', '/session')
    document.getElementById('who').textContent = data.actor ?? data.tenant
  }
  await views[view]()
  document.body.dataset.ready = 'true'
}

start().catch((err) => say(err.message, 'error'))
