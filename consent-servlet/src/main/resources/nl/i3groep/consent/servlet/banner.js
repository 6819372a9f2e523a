/* The banner's behaviour. Without it the form still works (POST, then 303 back). No eval, no
   string-built functions, no requests but to the site's own endpoint. */
(function () {
  var me = document.currentScript, endpoint = me.getAttribute('data-endpoint'),
      reload = me.getAttribute('data-reload') === '1', opener = null;

  function q(root, sel) { return Array.prototype.slice.call(root.querySelectorAll(sel)); }

  function state(root) {
    try { return JSON.parse(root.getAttribute('data-consent-state')) || {}; } catch (e) { return {}; }
  }

  function close(root) {
    root.hidden = true;
    if (opener && opener.focus) { opener.focus(); }
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
      }
      if (!wait) { next(i + 1); }
    })(0);
  }

  function send(root, action) {
    var form = root.querySelector('form'), purposes = {}, trackers = {}, before = state(root);
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
      if (withdrawn || reload) { location.reload(); return; }
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
    request.send(JSON.stringify({ purposes: purposes, trackers: trackers, source: 'banner' }));
  }

  function wire(root) {
    if (root.getAttribute('data-wired')) { return; }
    root.setAttribute('data-wired', '1');
    var form = root.querySelector('form'), action = 'save';
    q(form, '[data-consent-action]').forEach(function (b) {
      b.addEventListener('click', function () { action = b.getAttribute('data-consent-action'); });
    });
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
    root.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && root.getAttribute('data-decided') === '1') { close(root); }
    });
  }

  function open(root) {
    wire(root);
    root.hidden = false;
    var details = root.querySelector('details');
    if (details) { details.open = true; }
    var first = root.querySelector('input[name=purpose]:not([disabled])') || root;
    first.focus();
  }

  q(document, '[data-consent-banner]').forEach(function (root) {
    wire(root);
    if (!root.hidden) { root.focus(); }
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
