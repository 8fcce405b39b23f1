// The reference ESP console: ESP's QuickBooks screens over the gateways' public JSON API.
// No business logic here: figures come from POST /v1/orders/{n}/preview, refusals from the API.
"use strict";

const state = { config: null, session: null, integration: null, orders: [], settings: null };
const SETTLED = ["succeeded", "partially_succeeded", "failed", "cancelled", "held"];

// ---- DOM helpers ---------------------------------------------------------------------------
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}
const $ = (sel, root) => (root || document).querySelector(sel);
function show(...nodes) { const main = $("#main"); main.replaceChildren(...nodes); }
function closeModal() { const m = $("#modal"); m.hidden = true; m.replaceChildren(); }
function openModal(...nodes) {
  const m = $("#modal");
  m.replaceChildren(h("div", { class: "dialog", role: "dialog" }, ...nodes));
  m.hidden = false;
}
function money(v) { return v === null || v === undefined ? "" : String(v); }
function deadline(d) {
  // reauthorize_by: a deadline {at, days_left, kind}; tolerate a plain date too
  return typeof d === "object" ? `${d.at} (${d.days_left} days left)` : String(d);
}
function lookupCompany(item) {
  // one lookups shape is being finished: tolerate details.company_name and details.CompanyName
  const d = item.details || {};
  return d.company_name || d.CompanyName || "";
}

// ---- the API ----------------------------------------------------------------------------------
class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title)) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}
function gateway(product) {
  const p = product || (state.integration && state.integration.product) || "qbo";
  return p === "qbd" ? state.config.qbwc_url : state.config.qbo_url;
}
async function api(method, path, body, options) {
  const opts = options || {};
  const headers = { Authorization: `Bearer ${state.session.token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (opts.idempotencyKey) headers["Idempotency-Key"] = opts.idempotencyKey;
  const response = await fetch(gateway(opts.product) + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (opts.raw) {
    if (!response.ok) throw new ApiError(response.status, null);
    return response;
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = { detail: text }; }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
async function lookups(kind, q, type) {
  const params = new URLSearchParams({ limit: "100" });
  if (q) params.set("q", q);
  if (type) params.set("type", type);
  try {
    const page = await api("GET", `/v1/quickbooks/${kind}?${params}`);
    return page.items || [];
  } catch (e) {
    return [];
  }
}
function errorBox(e) {
  const status = e && e.status ? `${e.status} ` : "";
  return h("p", { class: "error", "data-status": e && e.status }, `${status}${e.message || e}`);
}

// ---- sign-in ------------------------------------------------------------------------------------
function saveSession(s) {
  state.session = s;
  if (s) sessionStorage.setItem("espqb-console", JSON.stringify(s));
  else sessionStorage.removeItem("espqb-console");
}
function header() {
  const who = $("#who");
  const s = state.session;
  $("#nav").hidden = !s;
  if (!s) { who.replaceChildren(); return; }
  $("#nav-admin").hidden = s.role !== "admin";
  const product = state.integration && state.integration.product;
  who.replaceChildren(
    h("span", { id: "signed-in" }, `${s.company} · ${s.user} (${s.role}${s.teams.length ? "; " + s.teams.join(", ") : ""})`),
    product ? h("span", {}, ` · QuickBooks ${product === "qbo" ? "Online" : "Desktop"}`) : "",
    h("button", { id: "sign-out", onclick: () => { saveSession(null); location.hash = "#/signin"; } }, "Sign out"),
  );
}
function signInScreen() {
  if (!state.config.sign_in) {
    show(h("section", { class: "card" }, h("h2", {}, "Sign in"),
      h("p", { class: "error" }, `ENV=${state.config.env}: the development sign-in is off.`)));
    return;
  }
  const form = h("form", { id: "signin-form", class: "card" },
    h("h2", {}, "Development sign-in"),
    h("p", { class: "muted" }, "Mints an ESP token for this company, user, role and teams (ENV=development only)."),
    h("label", {}, h("span", {}, "Company"), h("input", { name: "company", value: "demo-company", required: true })),
    h("label", {}, h("span", {}, "User"), h("input", { name: "user", value: "demo-admin", required: true })),
    h("label", {}, h("span", {}, "Role"),
      h("select", { name: "role" }, h("option", { value: "admin" }, "admin"), h("option", { value: "user" }, "user"))),
    h("label", {}, h("span", {}, "Teams (comma-separated)"), h("input", { name: "teams", value: "" })),
    h("div", { class: "buttons" }, h("button", { type: "submit", id: "sign-in" }, "Sign in")),
    h("div", { id: "signin-error" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const response = await fetch("/console/token", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ company: data.get("company"), user: data.get("user"), role: data.get("role"), teams: data.get("teams") }),
    });
    const body = await response.json();
    if (!response.ok) { $("#signin-error").replaceChildren(errorBox(new ApiError(response.status, body))); return; }
    saveSession(body);
    location.hash = body.role === "admin" ? "#/integrations" : "#/orders";
  });
  show(form);
}

// ---- Admin → Integrations ---------------------------------------------------------------------
async function loadIntegration() {
  state.integration = await api("GET", "/v1/integration", undefined, { product: "qbo" });
  if (!state.integration.product || state.integration.status !== "installed") state.integration.product = null;
  header();
  return state.integration;
}
async function integrationsScreen(tab) {
  const integration = await loadIntegration();
  if (!integration.product) {
    const choice = (product, title, text) => h("section", { class: "card", dataset: { product } },
      h("h3", {}, title), h("p", {}, text),
      h("button", { id: `install-${product}`, onclick: async (ev) => {
        ev.target.disabled = true;
        try { await api("POST", "/v1/integration/install", { product }, { product }); go("#/integrations/details"); }
        catch (e) { ev.target.after(errorBox(e)); ev.target.disabled = false; }
      } }, "Install"));
    show(h("h2", {}, "Admin → Integrations"),
      h("p", { class: "muted" }, integration.next_steps || ""),
      choice("qbo", "QuickBooks Online", "Send orders as invoices, bills and purchase orders to QuickBooks Online (sign in with Intuit)."),
      choice("qbd", "QuickBooks Desktop", "Send orders to QuickBooks Desktop through the QuickBooks Web Connector."));
    return;
  }
  state.settings = await api("GET", "/v1/settings");
  const tabs = ["details", "accounts", "customers"];
  const current = tabs.includes(tab) ? tab : "details";
  const body = h("div", { id: `tab-${current}` });
  const productName = integration.product === "qbo" ? "QuickBooks Online" : "QuickBooks Desktop";
  show(h("h2", {}, `Admin → Integrations → ${productName}`),
    h("div", { class: "tabs" }, tabs.map((t) => h("button", {
      id: `tab-button-${t}`, class: t === current ? "active" : null, onclick: () => { location.hash = `#/integrations/${t}`; },
    }, t[0].toUpperCase() + t.slice(1)))),
    h("section", { class: "card" }, body),
    h("div", { class: "buttons" },
      current !== "customers" ? h("button", { id: "save", onclick: () => saveSettings(current) }, "Save") : null,
      h("button", { id: "uninstall", onclick: async () => {
        if (!confirm(`Uninstall ${productName}?`)) return;
        await api("POST", "/v1/integration/uninstall"); route();
      } }, "Uninstall")),
    h("div", { id: "save-result" }));
  if (current === "details") await detailsTab(body, integration);
  else if (current === "accounts") await accountsTab(body);
  else await customersTab(body);
}
function checkbox(name, checked, text) {
  return h("label", {}, h("input", { type: "checkbox", name, checked: !!checked }), " ", text);
}
async function detailsTab(body, integration) {
  const s = state.settings;
  body.append(h("h3", {}, "Details"));
  if (integration.product === "qbo") {
    const status = h("div", { id: "connection" }, "…");
    body.append(h("p", {}, "QuickBooks Online: ESP creates customers, vendors and items as needed and sends invoices, payments, bills and purchase orders."), status);
    const refresh = async () => {
      try {
        const c = await api("GET", "/v1/qbo/connection");
        status.dataset.status = c.status;
        status.replaceChildren(
          h("p", {}, "Connection: ", h("strong", { id: "connection-status" }, c.status),
            c.company_name ? ` — ${c.company_name}` : "", c.realm_id ? ` (realm ${c.realm_id})` : ""),
          c.reauthorize_by ? h("p", { id: "reauthorize-by" }, `Re-authorise by ${deadline(c.reauthorize_by)} (every six months).`) : "",
          c.last_error ? h("p", { class: "error" }, c.last_error) : "",
          h("button", { id: "connect", onclick: connect }, c.status === "connected" ? "Re-authorise" : "Connect to QuickBooks"));
        return c.status;
      } catch (e) { status.replaceChildren(errorBox(e)); return null; }
    };
    const connect = async () => {
      try {
        const out = await api("POST", "/v1/qbo/connect", {});
        window.open(out.authorization_url, "intuit-sign-in");
        const timer = setInterval(async () => {
          if (!document.body.contains(status)) { clearInterval(timer); return; }
          if ((await refresh()) === "connected") clearInterval(timer);
        }, 1000);
      } catch (e) { status.append(errorBox(e)); }
    };
    await refresh();
  } else {
    const password = h("div", { id: "password" });
    const wc = h("div", { id: "web-connector" });
    body.append(
      h("p", {}, "QuickBooks Desktop: the QuickBooks Web Connector on the office computer picks up what ESP sends."),
      h("p", {}, h("button", { id: "download-qwc", onclick: downloadQwc }, "Download Web Connector file (.qwc)")),
      h("p", {}, h("button", { id: "generate-password", onclick: async () => {
        try {
          const p = await api("POST", "/v1/qbwc/password");
          password.replaceChildren(h("p", {}, "User name ", h("code", { id: "qbwc-username" }, p.username),
            " password ", h("code", { class: "secret", id: "qbwc-password" }, p.password)), h("p", { class: "muted" }, p.note || ""));
        } catch (e) { password.replaceChildren(errorBox(e)); }
      } }, "Generate new password")),
      password, wc);
    try {
      const st = await api("GET", "/v1/qbwc/status");
      const w = st.web_connector || {};
      wc.replaceChildren(h("p", { class: "muted" }, `Web Connector: last poll ${w.last_poll_at || "never"}; `,
        `waiting sends ${(st.pending && st.pending.waiting) || 0}`, st.company && st.company.name ? `; company file ${st.company.name}` : ""));
    } catch (e) { wc.replaceChildren(errorBox(e)); }
  }
  const selected = s.who_may_send === "selected";
  body.append(
    h("h4", {}, "Visible to"),
    h("label", {}, h("input", { type: "radio", name: "who_may_send", value: "everyone", checked: !selected }), " All"),
    h("label", {}, h("input", { type: "radio", name: "who_may_send", value: "selected", checked: selected }), " Teams or Individuals"),
    h("label", {}, h("span", {}, "Teams"), h("input", { name: "allowed_teams", value: (s.allowed_teams || []).join(", ") })),
    h("label", {}, h("span", {}, "Individuals (user ids)"), h("input", { name: "allowed_users", value: (s.allowed_users || []).join(", ") })),
    h("h4", {}, "Allow users to send"),
    checkbox("allow_invoices", s.allow_invoices, "Invoices"),
    checkbox("allow_bills", s.allow_bills, "Bills"),
    checkbox("allow_purchase_orders", s.allow_purchase_orders, "Purchase Orders"),
    h("h4", {}, "Customers"),
    checkbox("set_customers_billable", s.set_customers_billable, "Make customers billable"),
    h("h4", {}, "QuickBooks item"),
    h("label", {}, h("span", {}, "ESP field naming the item"),
      h("select", { name: "item_name_source" },
        h("option", { value: "product_number", selected: s.item_name_source === "product_number" }, "Product number"),
        h("option", { value: "product_name", selected: s.item_name_source === "product_name" }, "Product name"))));
}
async function downloadQwc() {
  const response = await api("GET", "/v1/qbwc/qwc", undefined, { raw: true });
  const blob = await response.blob();
  const a = h("a", { href: URL.createObjectURL(blob), download: "esp-quickbooks.qwc", id: "qwc-link" }, "esp-quickbooks.qwc");
  $("#download-qwc").after(" ", a);
  a.click();
}
const ACCOUNT_FIELDS = [
  ["ar", "Accounts Receivable", "Accounts Receivable"],
  ["income", "Income Account", "Income"],
  ["ap", "Accounts Payable", "Accounts Payable"],
  ["cogs", "Cost of Goods Sold", "Cost of Goods Sold"],
  ["discount", "Discounts", null],
  ["tax", "Sales tax", null],
];
async function accountsTab(body) {
  const accounts = await lookups("accounts");
  const list = h("datalist", { id: "accounts-list" }, accounts.map((a) => h("option", { value: a.name }, a.type || "")));
  const current = state.settings.default_accounts || {};
  body.append(h("h3", {}, "Accounts"), h("p", { class: "muted" },
    accounts.length ? "The company's QuickBooks accounts." : "No accounts read yet (Desktop: after the Web Connector's next update); type the names."), list,
    ...ACCOUNT_FIELDS.map(([key, label]) => h("label", {}, h("span", {}, label),
      h("input", { name: `account-${key}`, list: "accounts-list", value: (current[key] && current[key].name) || "", size: 40 }))));
  body.dataset.accounts = JSON.stringify(accounts.map((a) => [a.name, a.id]));
  const t = state.settings.tax_default || { option: "item" };
  body.append(h("label", {}, h("span", {}, "Tax"),
    h("select", { name: "tax_option" },
      h("option", { value: "item", selected: t.option === "item" }, "Add Total Tax as an Item"),
      h("option", { value: "quickbooks_default", selected: t.option === "quickbooks_default" }, "QuickBooks Default"),
      h("option", { value: "code", selected: t.option === "code" }, "A tax code")),
    " ", h("input", { name: "tax_code", value: t.code || "", placeholder: "tax code" })));
}
async function saveSettings(tab) {
  const s = state.settings;
  const body = {
    who_may_send: s.who_may_send, allowed_teams: s.allowed_teams, allowed_users: s.allowed_users,
    allow_invoices: s.allow_invoices, allow_bills: s.allow_bills, allow_purchase_orders: s.allow_purchase_orders,
    set_customers_billable: s.set_customers_billable, item_name_source: s.item_name_source,
    default_accounts: s.default_accounts, tax_default: s.tax_default, charge_items: s.charge_items,
    document_defaults: s.document_defaults, notify_emails: s.notify_emails,
  };
  const pane = $(`#tab-${tab}`);
  const list = (name) => $(`[name=${name}]`, pane).value.split(",").map((x) => x.trim()).filter(Boolean);
  if (tab === "details") {
    body.who_may_send = $("[name=who_may_send]:checked", pane).value;
    body.allowed_teams = list("allowed_teams");
    body.allowed_users = list("allowed_users");
    for (const k of ["allow_invoices", "allow_bills", "allow_purchase_orders", "set_customers_billable"]) body[k] = $(`[name=${k}]`, pane).checked;
    body.item_name_source = $("[name=item_name_source]", pane).value;
  } else if (tab === "accounts") {
    const ids = new Map(JSON.parse(pane.dataset.accounts || "[]"));
    const accounts = {};
    for (const [key] of ACCOUNT_FIELDS) {
      const name = $(`[name=account-${key}]`, pane).value.trim();
      if (name) accounts[key] = ids.has(name) ? { id: ids.get(name), name } : { name };
    }
    body.default_accounts = accounts;
    const option = $("[name=tax_option]", pane).value;
    body.tax_default = Object.assign({}, s.tax_default || {}, { option, code: option === "code" ? $("[name=tax_code]", pane).value || null : null });
  }
  const out = $("#save-result");
  try {
    state.settings = await api("PUT", "/v1/settings", body);
    out.replaceChildren(h("p", { class: "ok", id: "saved" }, "Saved."));
  } catch (e) { out.replaceChildren(errorBox(e)); }
}
async function customersTab(body) {
  body.append(h("h3", {}, "Customers"), h("p", { class: "muted" }, "Link ESP customers to QuickBooks customers."));
  body.append(await customerTable());
}

// ---- CRM ---------------------------------------------------------------------------------------
function espCustomers() {
  const seen = new Map();
  for (const o of state.orders) { const c = o.request.order.customer; if (!seen.has(c.esp_id)) seen.set(c.esp_id, c); }
  return [...seen.values()];
}
async function customerTable() {
  let links = new Map();
  try {
    const page = await api("GET", "/v1/mappings?kind=customer&limit=500");
    links = new Map((page.items || []).map((m) => [m.esp_key, m]));
  } catch (e) { /* not installed, or not allowed: no links shown */ }
  return h("table", { id: "crm-customers" }, h("tr", {}, h("th", {}, "ESP customer"), h("th", {}, "Company"), h("th", {}, "QuickBooks customer"), h("th", {}, "")),
    espCustomers().map((c) => {
      const link = links.get(c.esp_id);
      return h("tr", { dataset: { customer: c.esp_id } }, h("td", {}, c.esp_id), h("td", {}, c.company_name || `${c.first_name} ${c.last_name}`),
        h("td", { class: "linked" }, link ? `${link.qb_name || link.qb_id} (${link.origin})` : "—"),
        h("td", {}, h("button", { class: "qb", onclick: () => linkDialog(c) }, "QB")));
    }));
}
async function crmScreen() {
  await loadIntegration();
  show(h("h2", {}, "CRM → Customers"), h("section", { class: "card" }, await customerTable()));
}
function linkDialog(customer) {
  const results = h("div", { id: "link-results" });
  const input = h("input", { id: "link-search", placeholder: "Search QuickBooks customers", size: 40 });
  const search = async () => {
    const items = await lookups("customers", input.value.trim());
    results.replaceChildren(items.length ? h("ul", {}, items.map((it) => h("li", {},
      h("button", { class: "pick", dataset: { id: it.id }, onclick: async () => {
        try {
          await api("PUT", `/v1/crm/customers/${encodeURIComponent(customer.esp_id)}/quickbooks-link`, { quickbooks_id: it.id, quickbooks_name: it.name });
          closeModal(); route();
        } catch (e) { results.append(errorBox(e)); }
      } }, it.name), " ", h("span", { class: "muted" }, lookupCompany(it))))) : h("p", { class: "muted" }, "No QuickBooks customers found."));
  };
  input.addEventListener("keydown", (e) => { if (e.key === "Enter") search(); });
  openModal(h("h3", {}, `QuickBooks customer for ${customer.company_name || customer.esp_id} (${customer.esp_id})`),
    input, " ", h("button", { id: "link-search-button", onclick: search }, "Search"), results,
    h("div", { class: "buttons" },
      h("button", { id: "unlink", onclick: async () => {
        try { await api("DELETE", `/v1/crm/customers/${encodeURIComponent(customer.esp_id)}/quickbooks-link`); closeModal(); route(); }
        catch (e) { results.append(errorBox(e)); }
      } }, "Remove link"),
      h("button", { onclick: closeModal }, "Cancel")));
}

// ---- Orders and the "Send to QuickBooks" dialog -------------------------------------------------
function maySend() {
  // ESP hides the QB button from users the Details tab's "Visible to" leaves out.
  const s = state.settings;
  const me = state.session;
  if (!s || me.role === "admin" || s.who_may_send !== "selected") return true;
  return (s.allowed_users || []).includes(me.user) || me.teams.some((t) => (s.allowed_teams || []).includes(t));
}
async function ordersScreen() {
  await loadIntegration();
  state.settings = null;
  if (state.integration.product) { try { state.settings = await api("GET", "/v1/settings"); } catch (e) { state.settings = null; } }
  const rows = state.orders.map((o) => {
    const order = o.request.order;
    return h("tr", { dataset: { order: order.order_number } },
      h("td", {}, order.order_number), h("td", {}, o.label), h("td", {}, order.customer.company_name || ""),
      h("td", { class: "num" }, `${order.total} ${order.currency || ""}`),
      h("td", {}, state.integration.product && maySend() ? h("button", { class: "qb", id: `qb-${o.key}`, onclick: () => sendDialog(o) }, "QB") : ""));
  });
  show(h("h2", {}, "Orders"),
    state.integration.product ? "" : h("p", { class: "warning" }, "QuickBooks is not installed (Admin → Integrations)."),
    h("section", { class: "card" }, h("table", { id: "orders" }, h("tr", {}, h("th", {}, "Order"), h("th", {}, "Sample"), h("th", {}, "Customer"), h("th", { class: "num" }, "Total"), h("th", {}, "")), rows)),
    h("section", { class: "card" }, h("h3", {}, "Recent sends"), await jobsTable()));
}
async function jobsTable() {
  try {
    const page = await api("GET", "/v1/jobs?limit=10");
    return h("div", {}, h("p", { class: "muted" }, `${page.total} send(s)`),
      h("table", { id: "jobs" }, page.items.map((j) => h("tr", {}, h("td", {}, j.order_number), h("td", {}, j.status_label || j.status), h("td", {}, j.created_at)))));
  } catch (e) { return errorBox(e); }
}
function select(name, options, selected) {
  return h("select", { name }, options.map(([value, text]) => h("option", { value, selected: value === selected }, text)));
}
function refOf(items, id) {
  if (!id) return null;
  const it = items.find((x) => x.id === id);
  return { id, name: it ? it.name : null };
}
async function sendDialog(sample) {
  const request = JSON.parse(JSON.stringify(sample.request));
  const order = request.order;
  const choices = request.choices || {};
  const [customers, vendors, accounts, taxCodes] = await Promise.all([
    lookups("customers"), lookups("vendors"), lookups("accounts"), lookups("tax-codes")]);
  const accountOptions = [["", "(the Accounts tab's default)"], ...accounts.map((a) => [a.id, a.name])];
  const customerChoice = choices.customer && choices.customer.quickbooks_id ? choices.customer.quickbooks_id : "create";
  const form = h("form", { id: "send-form" },
    h("label", {}, h("span", {}, `Customer (${order.customer.company_name || order.customer.esp_id})`),
      select("customer", [["", "(linked customer, else create)"], ["create", "Create New Customer"], ...customers.map((c) => [c.id, c.name])], customerChoice)),
    h("label", {}, h("input", { type: "checkbox", name: "send_invoice", checked: choices.send_invoice !== false }), " Send Invoice"),
    h("label", {}, h("span", {}, "Tax"), select("tax", [["", "(the company's default)"], ["item", "Add Total Tax as an Item"], ["quickbooks_default", "QuickBooks Default"],
      ...taxCodes.map((t) => [`code:${t.name}`, `Tax code ${t.name}`])], typeof choices.tax === "string" ? choices.tax : (choices.tax && choices.tax.code ? `code:${choices.tax.code}` : ""))),
    h("label", {}, h("span", {}, "Accounts Receivable"), select("ar_account", accountOptions, "")),
    h("label", {}, h("span", {}, "Income Account"), select("income_account", accountOptions, "")),
    (order.suppliers || []).map((sup) => {
      const c = (choices.suppliers || {})[sup.esp_id] || {};
      const vendorChoice = c.vendor && c.vendor.quickbooks_id ? c.vendor.quickbooks_id : "create";
      return h("div", { class: "supplier", dataset: { supplier: sup.esp_id } }, h("strong", {}, `Supplier: ${sup.name} (${sup.esp_id})`),
        h("label", {}, h("span", {}, "Vendor"), select("vendor", [["", "(linked vendor, else create)"], ["create", "Create New Vendor"], ...vendors.map((v) => [v.id, v.name])], vendorChoice)),
        h("label", {}, h("input", { type: "checkbox", name: "send_bill", checked: c.send_bill !== false }), " Bill"),
        h("label", {}, h("input", { type: "checkbox", name: "send_purchase_order", checked: c.send_purchase_order !== false }), " Purchase Order"),
        h("label", {}, h("span", {}, "Accounts Payable"), select("ap_account", accountOptions, "")),
        h("label", {}, h("span", {}, "Cost of Goods Sold"), select("cogs_account", accountOptions, "")));
    }));
  const preview = h("div", { id: "preview" }, "…");
  const job = h("div", { id: "job" });
  const send = h("button", { id: "send", type: "button" }, "Send");
  const build = () => {
    const ch = {};
    const cust = $("[name=customer]", form).value;
    if (cust === "create") ch.customer = { create: true }; else if (cust) ch.customer = { quickbooks_id: cust };
    ch.send_invoice = $("[name=send_invoice]", form).checked;
    const tax = $("[name=tax]", form).value;
    if (tax.startsWith("code:")) ch.tax = { code: tax.slice(5) }; else if (tax) ch.tax = tax;
    for (const k of ["ar_account", "income_account"]) { const r = refOf(accounts, $(`[name=${k}]`, form).value); if (r) ch[k] = r; }
    ch.suppliers = {};
    for (const box of form.querySelectorAll(".supplier")) {
      const sc = { send_bill: $("[name=send_bill]", box).checked, send_purchase_order: $("[name=send_purchase_order]", box).checked };
      const v = $("[name=vendor]", box).value;
      if (v === "create") sc.vendor = { create: true }; else if (v) sc.vendor = { quickbooks_id: v };
      for (const k of ["ap_account", "cogs_account"]) { const r = refOf(accounts, $(`[name=${k}]`, box).value); if (r) sc[k] = r; }
      ch.suppliers[box.dataset.supplier] = sc;
    }
    return { order, choices: ch };
  };
  const refresh = async () => {
    try {
      const p = await api("POST", `/v1/orders/${encodeURIComponent(order.order_number)}/preview`, build());
      preview.replaceChildren(renderPreview(p));
      send.disabled = !p.sendable;
    } catch (e) { preview.replaceChildren(errorBox(e)); send.disabled = true; }
  };
  form.addEventListener("change", refresh);
  send.addEventListener("click", async () => {
    send.disabled = true;
    job.replaceChildren(h("p", { class: "muted" }, "Sending…"));
    try {
      const out = await api("POST", `/v1/orders/${encodeURIComponent(order.order_number)}/send`, build(),
        { idempotencyKey: `console-${order.order_number}-${Date.now()}` });
      watchJob(out.id, job);
    } catch (e) { job.replaceChildren(errorBox(e)); send.disabled = false; }
  });
  openModal(h("h3", {}, `Send to QuickBooks — order ${order.order_number}`), form,
    h("h4", {}, "What Send will do"), preview, job,
    h("div", { class: "buttons" }, h("button", { id: "cancel", type: "button", onclick: () => { closeModal(); route(); } }, "Cancel"), send));
  await Promise.all([refresh(), previousSend(order.order_number, job)]);
}
async function previousSend(orderNumber, box) {
  // Reopened on an order sent before: its latest send, with its steps and links, until Send again.
  let page;
  try { page = await api("GET", `/v1/jobs?order_number=${encodeURIComponent(orderNumber)}&limit=1`); } catch (e) { return; }
  const [latest] = page.items;
  if (!latest || box.childElementCount) return;
  const inner = h("div");
  box.replaceChildren(h("div", { id: "previous-send" }, h("p", { class: "muted" }, `Sent before, on ${latest.created_at}:`), inner));
  watchJob(latest.id, inner);
}
function renderPreview(p) {
  const t = p.totals;
  const discount = t && t.discount && !String(t.discount).startsWith("-") && Number(t.discount) !== 0 ? `-${t.discount}` : t && t.discount;
  return h("div", { dataset: { sendable: String(p.sendable) } },
    t ? h("table", { id: "totals" },
      [["subtotal", "Subtotal", t.subtotal], ["discount", "Discount", discount], ["tax", "Tax", t.tax], ["total", "Total", t.total],
        ["payments_applied", "Payments applied", t.payments_applied], ["balance_due", "Balance due", t.balance_due]]
        .map(([key, label, v]) => h("tr", {}, h("th", {}, label), h("td", { class: "num", dataset: { total: key } }, money(v))))) : "",
    h("table", { id: "operations" }, h("tr", {}, h("th", {}, "Action"), h("th", {}, "Record"), h("th", {}, "Name"), h("th", { class: "num" }, "Total"), h("th", {}, "Lines / details")),
      (p.operations || []).map((op) => h("tr", { dataset: { kind: op.kind, action: op.action } },
        h("td", {}, op.action), h("td", {}, op.kind), h("td", {}, op.name || ""), h("td", { class: "num" }, money(op.total)),
        h("td", {}, (op.lines || []).map((l) => h("div", {}, `${l.item || l.kind}: ${l.quantity ? l.quantity + " × " + l.rate + " = " : ""}${l.amount}`)),
          op.details ? Object.entries(op.details).filter(([, v]) => v).map(([k, v]) => h("div", { class: "muted" }, `${k}: ${v}`)) : "")))),
    (p.warnings || []).map((w) => h("p", { class: "warning" }, typeof w === "string" ? w : (w.message || JSON.stringify(w)))),
    (p.problems || []).map((pr) => h("p", { class: "error" }, `${pr.message} (${pr.path})`)));
}
function watchJob(id, box) {
  const tick = async () => {
    let j;
    try { j = await api("GET", `/v1/jobs/${id}`); } catch (e) { box.replaceChildren(errorBox(e)); return; }
    box.replaceChildren(h("div", { dataset: { jobId: j.id, status: j.status } },
      h("p", {}, "Send: ", h("strong", { id: "job-status" }, j.status), ` — ${j.status_label || ""}`),
      j.waiting ? h("p", { class: "muted", id: "job-waiting" }, j.waiting) : "",
      j.last_error ? h("p", { class: "error" }, j.last_error) : "",
      h("table", { id: "steps" }, (j.steps || []).map((s) => h("tr", { dataset: { kind: s.kind } },
        h("td", {}, s.kind), h("td", {}, s.action), h("td", {}, s.status), h("td", {}, s.summary || ""),
        h("td", {}, stepLink(s)), h("td", { class: "error" }, s.error || "")))),
      (j.warnings || []).map((w) => h("p", { class: "warning" }, typeof w === "string" ? w : (w.message || JSON.stringify(w))))));
    if (!SETTLED.includes(j.status) && document.body.contains(box)) setTimeout(tick, 1000);
  };
  tick();
}
function stepLink(step) {
  const l = step.link;
  if (!l) return "";
  if (l.url) return h("a", { href: l.url, target: "_blank", rel: "noopener", class: "qb-link" }, l.ref_number ? `Open ${l.ref_number} in QuickBooks` : "Open in QuickBooks");
  return h("span", { class: "qb-ref" }, [l.ref_number ? `No. ${l.ref_number}` : "", l.txn_id ? ` TxnID ${l.txn_id}` : "", l.list_id ? ` ListID ${l.list_id}` : ""].join(""));
}

// ---- routing -----------------------------------------------------------------------------------
function go(hash) {
  if (location.hash === hash) route(); else location.hash = hash;  // a new hash routes by itself
}
async function route() {
  closeModal();
  const [, page, arg] = (location.hash || "#/").split("/");
  if (!state.session || page === "signin") { header(); signInScreen(); return; }
  header();
  try {
    if (page === "integrations" && state.session.role === "admin") await integrationsScreen(arg);
    else if (page === "crm") await crmScreen();
    else await ordersScreen();
  } catch (e) { show(errorBox(e)); }
}
async function start() {
  state.config = await (await fetch("/console/config")).json();
  state.orders = await (await fetch("/console/orders")).json();
  const saved = sessionStorage.getItem("espqb-console");
  state.session = saved ? JSON.parse(saved) : null;
  window.addEventListener("hashchange", route);
  await route();
}
start();
