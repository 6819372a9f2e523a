/* The banner's behaviour. Without it the form still works (POST, then 303 back). No eval, no
   string-built functions, no requests but to the site's own endpoint. */
(function () {
  var me = document.currentScript, endpoint = me.getAttribute('data-endpoint'),
      reload = me.getAttribute('data-reload') === '1', opener = null;

  function q(root, sel) { return Array.prototype.slice.call(root.querySelectorAll(sel)); }

  /* The banner's shadow root: declared in its markup, attached here where the browser did not
     (markup set by innerHTML, or a browser without declarative shadow roots). */
  function shadow(host) {
    if (!host.shadowRoot) {
      var t = host.querySelector('template[shadowrootmode]');
      if (t) { host.attachShadow({ mode: 'open' }).appendChild(t.content); t.parentNode.removeChild(t); }
    }
    return host.shadowRoot || host;
  }

  function dialog(root) { return shadow(root).querySelector('.i3c'); }

  /* The banner's height kept free at the end of the page, and as the page's scroll padding, so
     that the page can scroll every element out from under it and focus never lands beneath it. */
  function reserve(root) {
    var h = root.hidden ? 0 : dialog(root).offsetHeight;
    root.style.height = h + 'px';
    document.documentElement.style.scrollPaddingBottom = h ? h + 'px' : '';
  }

  function state(root) {
    try { return JSON.parse(root.getAttribute('data-consent-state')) || {}; } catch (e) { return {}; }
  }

  function close(root) {
    root.hidden = true;
    reserve(root);
    var back = opener && opener.shadowRoot ? opener.shadowRoot.querySelector('a') : opener;
    if (back && back.focus) { back.focus(); }
  }

  function minimise(root, on) {
    var d = dialog(root);
    d.classList.toggle('i3c-min', on);
    reserve(root);
    if (on) { d.querySelector('[data-consent-action=expand]').focus(); } else { d.focus(); }
  }

  /* Scripts, pixels and frames that became allowed come alive in document order; a blocking
     external script is waited for before the next, as the parser would have. */
  function activate(allowed, done) {
    var nodes = q(document, '[data-consent]').filter(function (n) {
      return !n.closest('[data-consent-banner]') && n.getAttribute('data-consent').split(/\s+/)
        .every(function (id) { return allowed[id] === true; });
    });
    (function next(i) {
      if (i >= nodes.length) { done(); return; }
      var n = nodes[i], wait = false;
      if (n.tagName === 'SCRIPT' && n.type === 'text/plain') {
        var s = document.createElement('script');
        for (var k = 0; k < n.attributes.length; k++) {
          var a = n.attributes[k];
          // a denied script's URLs were renamed data-consent-src and the like: they come back
          var name = a.name.indexOf('data-consent-') === 0 ? a.name.substring(13) : a.name;
          if (a.name !== 'type' && a.name !== 'data-type') { s.setAttribute(name, a.value); }
        }
        if (n.getAttribute('data-type')) { s.type = n.getAttribute('data-type'); }
        if (me.nonce) { s.nonce = me.nonce; }
        if (s.hasAttribute('src')) {
          s.async = n.hasAttribute('async');
          wait = !n.hasAttribute('async') && !n.hasAttribute('defer');
          if (wait) { s.onload = s.onerror = function () { next(i + 1); }; }
        } else {
          s.text = n.text;
        }
        n.parentNode.replaceChild(s, n);
      } else {
        if (n.tagName === 'STYLE' && n.type === 'text/plain') {
          // a stylesheet that fetches from the tracker applies again
          n.textContent = n.textContent.split('@x-consent-').join('@');
          if (n.getAttribute('data-type')) { n.type = n.getAttribute('data-type'); } else { n.removeAttribute('type'); }
        }
        revive(n);
      }
      if (!wait) { next(i + 1); }
    })(0);
  }

  /* An element's renamed URLs and handlers back; a frame behind an embed's placeholder shown, the
     placeholder gone. */
  function revive(n) {
    var handler = false;
    for (var j = n.attributes.length - 1; j >= 0; j--) {
      var at = n.attributes[j];
      if (at.name.indexOf('data-consent-') === 0 && at.name !== 'data-consent-settings') {
        n.setAttribute(at.name.substring(13), at.value);
        n.removeAttribute(at.name);
        handler = handler || at.name.indexOf('data-consent-on') === 0;
      }
    }
    // a load or error handler that came back missed its event: loading the same source again replays it
    if (handler && n.hasAttribute('src')) { n.setAttribute('src', n.getAttribute('src')); }
    if (n.tagName === 'IFRAME') {
      n.removeAttribute('hidden');
      var p = n.previousElementSibling;
      if (p && p.hasAttribute('data-consent-embed')) { p.parentNode.removeChild(p); }
    }
  }

  function embed(host) {
    var root = shadow(host), frame = host.nextElementSibling, form = root.querySelector('form');
    form.addEventListener('submit', function (e) {
      if (e.submitter && e.submitter.value === 'once') {
        /* this frame, this once, here: nothing is recorded. An enforced policy would refuse it
           here (its host is not allowed): then the form reloads the page with it allowed. */
        if (reload) { return; }
        e.preventDefault();
        if (frame && frame.tagName === 'IFRAME') { revive(frame); }
        return;
      }
      /* recorded as any choice; the answer comes back by way of the endpoint's own state */
      e.preventDefault();
      var request = new XMLHttpRequest();
      request.open('POST', endpoint);
      request.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded');
      request.onload = function () {
        if (request.status !== 200) { location.reload(); return; }
        var now = JSON.parse(request.responseText).trackers;
        keep(ids(now));
        if (reload) { location.reload(); return; }
        activate(now, function () {});
      };
      request.onerror = function () { form.submit(); };
      request.send('action=allow&purpose=' + encodeURIComponent(form.elements.purpose.value)
        + '&return=' + encodeURIComponent(endpoint));
    });
  }

  /* A service worker fetches under the policy its script came with when it was installed, and is
     installed anew only when its script changes: one installed under consent would go on sending
     what is now withdrawn. It goes with the withdrawal; the page's own code registers it again,
     under the policy of the new decision. */
  function unregister() {
    var sw = navigator.serviceWorker;
    if (!sw || !sw.getRegistrations) { return Promise.resolve(0); }
    return sw.getRegistrations().then(function (rs) {
      return Promise.all(rs.map(function (r) { return r.unregister(); })).then(function () { return rs.length; });
    });
  }

  function withdraw(now) {
    keep(now);
    unregister().then(function () { location.reload(); }, function () { location.reload(); });
  }

  /* The trackers allowed when the page was last shown, kept in the site's storage (only these ids:
     what the visitor decided, for the visitor's sake): a decision can change where the banner does
     not see it (the consent ran out, Global Privacy Control came on, a withdrawal by the form
     without script, in another browser tab). Where a tracker allowed then is denied now, the
     site's service workers go, and the page reloads out of their control. Where nothing was kept
     yet, nothing is compared. */
  var KEPT = 'consent-allowed';

  function ids(trackers) { return Object.keys(trackers).filter(function (id) { return trackers[id] === true; }); }

  function keep(allowed) {
    try { localStorage.setItem(KEPT, allowed.join(' ')); return true; } catch (e) { return false; }
  }

  function retire() {
    var now = (me.getAttribute('data-allowed') || '').split(' ').filter(Boolean), before;
    try { before = localStorage.getItem(KEPT); } catch (e) { return; }
    // kept first: the page that reloads compares with what it is now, and stops
    if (!keep(now) || before === null) { return; }
    if (before.split(' ').some(function (id) { return id && now.indexOf(id) < 0; })) {
      unregister().then(function (n) { if (n) { location.reload(); } }, function () {});
    }
  }

  function send(root, action) {
    var form = shadow(root).querySelector('form'), purposes = {}, trackers = {}, before = state(root);
    q(form, 'input[name=purpose]:not([disabled])').forEach(function (p) {
      purposes[p.value] = action === 'accept-all' ? true : action === 'reject-all' ? false : p.checked;
    });
    if (action === 'save') {
      /* what is shown is saved: each tracker as its switch stands */
      q(form, 'input[name=tracker]:not([disabled])').forEach(function (t) { trackers[t.value] = t.checked; });
    }
    var request = new XMLHttpRequest();
    request.open('POST', endpoint);
    request.setRequestHeader('Content-Type', 'application/json');
    request.onload = function () {
      if (request.status !== 200) { form.submit(); return; }
      var now = JSON.parse(request.responseText).trackers;
      var withdrawn = Object.keys(before).some(function (id) { return before[id] && !now[id]; });
      if (withdrawn) { withdraw(ids(now)); return; }
      keep(ids(now));
      if (reload) { location.reload(); return; }
      if (window.gtag) {
        var g = function (id) { return now[id] ? 'granted' : 'denied'; };
        window.gtag('consent', 'update', { analytics_storage: g('google-analytics'), ad_storage: g('google-ads'),
          ad_user_data: g('google-ads'), ad_personalization: g('google-ads') });
      }
      root.setAttribute('data-consent-state', JSON.stringify(now));
      close(root);
      activate(now, function () {
        /* for the page's own code: the choice is applied */
        document.documentElement.setAttribute('data-consent-applied', '1');
        document.dispatchEvent(new CustomEvent('consent:applied', { detail: now }));
      });
    };
    request.onerror = function () { form.submit(); };
    var notice = form.querySelector('input[name=notice]');
    request.send(JSON.stringify({ purposes: purposes, trackers: trackers, source: 'banner',
      notice: notice ? notice.value : undefined }));
  }

  function wire(root) {
    if (root.getAttribute('data-wired')) { return; }
    root.setAttribute('data-wired', '1');
    var form = shadow(root).querySelector('form'), action = 'save';
    q(form, '[data-consent-action]').forEach(function (b) {
      b.addEventListener('click', function () { action = b.getAttribute('data-consent-action'); });
    });
    form.querySelector('[data-consent-action=expand]').addEventListener('click', function () { minimise(root, false); });
    form.addEventListener('submit', function (e) {
      if (action === 'settings') { return; }
      e.preventDefault();
      send(root, action);
    });
    /* a purpose switch sets the switches of its trackers */
    q(form, 'input[name=purpose]').forEach(function (p) {
      p.addEventListener('change', function () {
        q(form, 'input[name=tracker][data-purpose="' + p.value + '"]').forEach(function (t) { t.checked = p.checked; });
      });
    });
    /* Escape closes the reopened settings; on the first layer it minimises, which decides nothing */
    dialog(root).addEventListener('keydown', function (e) {
      if (e.key !== 'Escape') { return; }
      if (root.getAttribute('data-decided') === '1') { close(root); } else { minimise(root, true); }
    });
    if (window.ResizeObserver) { new ResizeObserver(function () { reserve(root); }).observe(dialog(root)); }
    reserve(root);
  }

  function open(root) {
    wire(root);
    root.hidden = false;
    dialog(root).classList.remove('i3c-min');
    reserve(root);
    var details = shadow(root).querySelector('details');
    if (details) { details.open = true; }
    var first = shadow(root).querySelector('input[name=purpose]:not([disabled])') || dialog(root);
    first.focus();
  }

  q(document, '[data-consent-banner]').forEach(function (root) {
    wire(root);
    if (!root.hidden) { dialog(root).focus(); }
  });

  q(document, '[data-consent-embed]').forEach(embed);

  retire();

  /* the banner's own settings control, where the page has no data-consent-settings of its own */
  q(document, 'consent-settings').forEach(function (c) {
    shadow(c);
    if (q(document, '[data-consent-settings]').some(function (n) { return n.tagName !== 'CONSENT-SETTINGS'; })) {
      c.parentNode.removeChild(c);
    }
  });

  document.addEventListener('click', function (e) {
    var t = e.target.closest ? e.target.closest('[data-consent-settings]') : null;
    if (!t) { return; }
    e.preventDefault();
    opener = t;
    var root = document.querySelector('[data-consent-banner]');
    if (root) { open(root); return; }
    var request = new XMLHttpRequest();
    request.open('GET', endpoint + '/banner?return=' + encodeURIComponent(location.pathname + location.search));
    request.onload = function () {
      if (request.status !== 200) { return; }
      var holder = document.createElement('div');
      holder.innerHTML = request.responseText;
      root = holder.firstElementChild;
      document.body.appendChild(root);
      open(root);
    };
    request.send();
  });
})();
