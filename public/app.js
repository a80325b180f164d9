// The try-it page: plain WebAuthn calls against the API, each request and response logged.
const base = "/api/auth";
let bearer = null;

const $ = (selector) => document.querySelector(selector);

// --- base64url <-> bytes, and the WebAuthn JSON forms the API speaks ---------------------
const toBytes = (text) => {
  const padded = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
};
const toText = (buffer) =>
  btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

const creationOptions = (json) => ({
  ...json,
  challenge: toBytes(json.challenge),
  user: { ...json.user, id: toBytes(json.user.id) },
  excludeCredentials: json.excludeCredentials.map((c) => ({ ...c, id: toBytes(c.id) })),
});
const requestOptions = (json) => ({
  ...json,
  challenge: toBytes(json.challenge),
  allowCredentials: (json.allowCredentials ?? []).map((c) => ({ ...c, id: toBytes(c.id) })),
});
const credentialJson = (credential, response) => ({
  id: credential.id,
  rawId: toText(credential.rawId),
  type: credential.type,
  authenticatorAttachment: credential.authenticatorAttachment,
  clientExtensionResults: credential.getClientExtensionResults(),
  response: { clientDataJSON: toText(credential.response.clientDataJSON), ...response },
});
const registrationJson = (credential) =>
  credentialJson(credential, {
    attestationObject: toText(credential.response.attestationObject),
    transports: credential.response.getTransports?.() ?? [],
  });
const authenticationJson = (credential) =>
  credentialJson(credential, {
    authenticatorData: toText(credential.response.authenticatorData),
    signature: toText(credential.response.signature),
    userHandle: credential.response.userHandle ? toText(credential.response.userHandle) : null,
  });

// --- calling the API, with a log entry per call ------------------------------------------
async function call(method, path, body) {
  const headers = {};
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(path.startsWith("/") ? path : `${base}/${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json();
  log(`${method} ${path}`, body, response.status, data);
  if (!response.ok) throw new Error(`${data.code}: ${data.message}`);
  return { data, response };
}

function log(title, request, status, response) {
  const item = document.createElement("li");
  const heading = document.createElement("strong");
  heading.textContent = `${title} → ${status}`;
  if (status >= 400) heading.className = "failed";
  item.append(heading);
  for (const [label, value] of [["request", request], ["response", response]]) {
    if (value === undefined) continue;
    const pre = document.createElement("pre");
    pre.textContent = `${label}: ${JSON.stringify(value, null, 2)}`;
    item.append(pre);
  }
  $("#log").prepend(item);
}

const guard = (action) => async (event) => {
  event?.preventDefault();
  try {
    await action(event);
  } catch (error) {
    log("error", undefined, 0, String(error.message ?? error));
  }
};

const useToken = (token) => {
  bearer = token;
  $("#token").textContent = token;
};

// --- the steps ----------------------------------------------------------------------------
$("#token-form").addEventListener("submit", guard(async (event) => {
  const form = new FormData(event.target);
  const { data } = await call("POST", "dev/token", Object.fromEntries(form));
  useToken(data.token);
}));

$("#register-form").addEventListener("submit", guard(async (event) => {
  const name = new FormData(event.target).get("name");
  const { data: options } = await call("GET", "passkey/generate-register-options");
  const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
  await call("POST", "passkey/verify-registration", { response: registrationJson(credential), name });
  await listPasskeys();
}));

async function signIn(bound) {
  const saved = bearer;
  if (!bound) bearer = null;
  const { data: options } = await call("GET", "passkey/generate-authenticate-options").finally(() => {
    bearer = saved;
  });
  const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
  const { data, response } = await call("POST", "passkey/verify-authentication", {
    response: authenticationJson(credential),
  });
  useToken(response.headers.get("set-auth-token") ?? data.session.token);
  await listPasskeys();
}
$("#sign-in").addEventListener("click", guard(() => signIn(false)));
$("#sign-in-bound").addEventListener("click", guard(() => signIn(true)));

async function listPasskeys() {
  const { data } = await call("GET", "passkey/list-user-passkeys");
  const list = $("#passkeys");
  list.replaceChildren(...data.map((passkey) => {
    const item = document.createElement("li");
    item.textContent = `${passkey.name ?? "(unnamed)"} · ${passkey.deviceType} · counter ${passkey.counter} `;
    const rename = document.createElement("button");
    rename.textContent = "Rename";
    rename.addEventListener("click", guard(async () => {
      const name = prompt("New name", passkey.name ?? "");
      if (name === null) return;
      await call("POST", "passkey/update-passkey", { id: passkey.id, name });
      await listPasskeys();
    }));
    const remove = document.createElement("button");
    remove.textContent = "Delete";
    remove.addEventListener("click", guard(async () => {
      await call("POST", "passkey/delete-passkey", { id: passkey.id });
      await listPasskeys();
    }));
    item.append(rename, " ", remove);
    return item;
  }));
}
$("#list").addEventListener("click", guard(listPasskeys));
