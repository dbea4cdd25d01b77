// Pinwheel web client: log in, then talk REST v10 + Gateway v10 like any bot library does.
//   #/invite/CODE           opens the app and offers to join that guild after login
//   #/channels/GUILD/CHAN   the channel shown
import { h, fill } from './dom.js';
import { Api, ApiError } from './api.js';
import { ChatApp } from './chat.js';
import { showError } from './ui.js';
import { showAuthorize, showApplications } from './bots.js';

export const TOKEN_KEY = 'pinwheel.token';
const INVITE_KEY = 'pinwheel.invite';
const api = new Api(() => localStorage.getItem(TOKEN_KEY));
const root = document.getElementById('app');
let app = null;

/** The invite code in the address (#/invite/CODE or /invite/CODE), if any. */
function inviteFromHash() {
  const m = location.hash.match(/^#\/invite\/([A-Za-z0-9_-]{2,64})/);
  return m ? m[1] : null;
}

function rememberInvite() {
  const code = inviteFromHash();
  if (code) sessionStorage.setItem(INVITE_KEY, code);
  return sessionStorage.getItem(INVITE_KEY);
}

function takeInvite() {
  const code = sessionStorage.getItem(INVITE_KEY);
  sessionStorage.removeItem(INVITE_KEY);
  return code;
}

function showAuth(problem) {
  root.className = 'auth-page';
  const invite = rememberInvite();
  const username = h('input', { name: 'username', autocomplete: 'username', autocapitalize: 'off', spellcheck: 'false' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password' });
  const error = h('p', { class: 'form-error', role: 'alert' }, problem || '');
  const login = h('button', { type: 'submit', class: 'primary', value: 'login' }, 'Log in');
  const register = h('button', { type: 'submit', value: 'register' }, 'Create account');
  const form = h('form', { class: 'auth-card', novalidate: true, 'aria-label': 'Log in or create an account' },
    h('div', { class: 'brand' }, h('img', { src: '/assets/icon.svg', alt: '', width: 48, height: 48 }), h('h1', {}, 'Pinwheel')),
    h('p', { class: 'sub' }, invite
      ? "You've been invited to a guild. Log in or create an account to join it."
      : 'Log in, or create an account: a name and a password of 8 characters or more.'),
    h('label', {}, 'Username', username),
    h('label', {}, 'Password', password),
    error,
    h('div', { class: 'row' }, login, register));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const mode = ev.submitter?.value === 'register' ? 'register' : 'login';
    fill(error);
    login.disabled = register.disabled = true;
    try {
      const res = await api.post(`/auth/${mode}`, { username: username.value.trim(), password: password.value });
      localStorage.setItem(TOKEN_KEY, res.token);
      start(res.user);
    } catch (e) {
      fill(error, e.message);
    } finally {
      login.disabled = register.disabled = false;
    }
  });
  fill(root, form);
  username.focus();
}

function start(me) {
  // the bot pages: /oauth2/authorize?client_id=… (add a bot to a guild), /developers/applications
  if (location.pathname === '/oauth2/authorize') return showAuthorize(root, api);
  if (location.pathname === '/developers/applications') return showApplications(root, api);
  rememberInvite();
  root.className = '';
  app = new ChatApp({ root, api, me, token: localStorage.getItem(TOKEN_KEY), onLogout: logout, takeInvite });
  app.start();
}

function logout(reason) {
  if (app) app.stop();
  app = null;
  localStorage.removeItem(TOKEN_KEY);
  history.replaceState(null, '', '/');
  showAuth(reason);
}

async function boot() {
  rememberInvite();
  if (!localStorage.getItem(TOKEN_KEY)) {
    showAuth();
    return;
  }
  try {
    start(await api.get('/users/@me'));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      localStorage.removeItem(TOKEN_KEY);
      showAuth('Your session has ended: log in again.');
    } else {
      showError(e, 'Could not load your account');
      showAuth(e.message);
    }
  }
}

// A handle for the browser console (and the browser tests): window.pinwheel.app is the running ChatApp.
window.pinwheel = Object.freeze({ get app() { return app; } });

window.addEventListener('hashchange', () => {
  if (inviteFromHash()) {
    rememberInvite();
    if (app) app.offerInvite(takeInvite());
  } else if (app) {
    app.followHash();
  }
});

boot();
