(function () {
  "use strict";
  // The page content arrives as JSON; nothing is in the main region until this script runs.
  var data = JSON.parse(document.getElementById("__sim_data").textContent);

  function make(tag, classes) {
    var node = document.createElement(tag);
    if (classes) { node.className = classes; }
    return node;
  }

  function fill(node, parts) {
    (parts || []).forEach(function (part) {
      if (typeof part === "string") {
        node.appendChild(document.createTextNode(part));
        return;
      }
      var link = make("a", part.c);
      link.setAttribute("href", part.h);
      link.textContent = part.t;
      if (part.x) {
        link.setAttribute("target", "_blank");
        link.setAttribute("rel", "nofollow noreferrer");
      }
      node.appendChild(link);
    });
    return node;
  }

  function field(spec, index) {
    var wrapper = make("div", spec.c);
    var id = "sim_field_" + index + "_" + spec.n;
    var label = make("label");
    label.setAttribute("for", id);
    label.textContent = spec.l;
    wrapper.appendChild(label);
    var input;
    if (spec.t === "textarea") {
      input = make("textarea");
      input.setAttribute("rows", "5");
    } else if (spec.t === "select") {
      input = make("select");
      (spec.o || []).forEach(function (text) {
        var option = make("option");
        option.textContent = text;
        input.appendChild(option);
      });
    } else {
      input = make("input");
      input.setAttribute("type", spec.t);
    }
    input.setAttribute("name", spec.n);
    input.setAttribute("id", id);
    wrapper.appendChild(input);
    return wrapper;
  }

  function form(spec) {
    var node = make("form", spec.c);
    node.setAttribute("method", "post");
    node.setAttribute("action", spec.action);
    spec.fields.forEach(function (item, index) { node.appendChild(field(item, index)); });
    Object.keys(spec.hidden || {}).forEach(function (name) {
      var hidden = make("input");
      hidden.setAttribute("type", "hidden");
      hidden.setAttribute("name", name);
      hidden.setAttribute("value", spec.hidden[name]);
      node.appendChild(hidden);
    });
    var button = make("button");
    button.setAttribute("type", "submit");
    button.textContent = spec.s;
    node.appendChild(button);
    return node;
  }

  function toc(spec) {
    var nav = make("div", spec.c);
    nav.setAttribute("role", "navigation");
    nav.setAttribute("aria-label", spec.t);
    var heading = make("div");
    heading.textContent = spec.t;
    nav.appendChild(heading);
    var list = make("ul");
    spec.items.forEach(function (item) {
      var entry = make("li");
      fill(entry, [{ h: item.h, t: item.t, c: item.c }]);
      list.appendChild(entry);
    });
    nav.appendChild(list);
    return nav;
  }

  function block(spec) {
    var node;
    switch (spec.k) {
      case "h1": case "h2": case "h3": case "p":
        node = fill(make(spec.k, spec.c), spec.p);
        break;
      case "note":
        node = fill(make("div", spec.c), spec.p);
        node.setAttribute("role", "note");
        break;
      case "meta":
        node = fill(make("div", spec.c), spec.p);
        break;
      case "img":
        node = make("img", spec.c);
        node.setAttribute("src", spec.src);
        node.setAttribute("alt", spec.alt);
        node.setAttribute("width", "640");
        node.setAttribute("height", "360");
        break;
      case "toc":
        node = toc(spec);
        break;
      case "form":
        node = form(spec);
        break;
      case "sep":
        node = make("div", spec.c);
        node.setAttribute("role", "separator");
        break;
      default:
        node = make("div");
    }
    if (spec.a) { node.setAttribute("id", spec.a); }
    return node;
  }

  function render() {
    var main = document.querySelector('[role=main]');
    // A document saved after rendering (render_page(..., as_rendered=True)) is already filled.
    if (main.childNodes.length) { return; }
    var list = null;
    data.blocks.forEach(function (spec) {
      if (spec.k === "li") {
        if (!list) {
          list = make("ul", spec.uc);
          main.appendChild(list);
        }
        list.appendChild(fill(make("li", spec.c), spec.p));
        return;
      }
      list = null;
      main.appendChild(block(spec));
    });
  }

  function wireConsent() {
    var dialog = document.querySelector('[data-sim-consent]');
    if (!dialog || !data.consentWorks) { return; }
    function choose(value) {
      document.cookie = data.consentCookie + "=" + value + "; path=/; max-age=31536000; SameSite=Lax";
      if (dialog.parentNode) { dialog.parentNode.removeChild(dialog); }
    }
    [["accept_button", "all"], ["accept_only_essential_button", "essential"]].forEach(function (pair) {
      var button = dialog.querySelector('[data-cookiebanner="' + pair[0] + '"]');
      if (!button) { return; }
      button.addEventListener("click", function () { choose(pair[1]); });
      button.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { choose(pair[1]); }
      });
    });
  }

  wireConsent();
  window.setTimeout(render, data.delay);
})();
