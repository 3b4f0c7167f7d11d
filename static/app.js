// Progressive enhancement only: every page works without this file.

// After a form is sent back with errors, the error summary takes the focus so a
// screen reader announces it (the autofocus attribute does it in recent browsers).
const summary = document.getElementById('resume-erreurs');
if (summary && document.activeElement !== summary) {
  summary.focus();
}

// The authority search becomes a combobox (WAI-ARIA 1.2 pattern, list
// autocomplete): typing asks /api/collectivites, arrows move in the list, Enter
// picks, Escape closes. Picking fills the hidden choice and the fields below.
const search = document.querySelector('input[data-autocomplete]');
if (search) {
  const form = search.form;
  const listbox = document.createElement('ul');
  listbox.id = 'authority_query-listbox';
  listbox.setAttribute('role', 'listbox');
  listbox.setAttribute('aria-label', 'Collectivités trouvées');
  listbox.className = 'combobox-listbox';
  listbox.hidden = true;
  const status = document.createElement('p');
  status.className = 'fr-sr-only';
  status.setAttribute('role', 'status');
  search.insertAdjacentElement('afterend', listbox);
  listbox.insertAdjacentElement('afterend', status);
  search.setAttribute('role', 'combobox');
  search.setAttribute('aria-autocomplete', 'list');
  search.setAttribute('aria-expanded', 'false');
  search.setAttribute('aria-controls', listbox.id);

  let hits = [];
  let active = -1;
  let timer = null;
  let request = 0;

  const choiceInput = () => {
    let input = form.querySelector('input[type=hidden][name=authority_choice]');
    if (!input) {
      input = document.createElement('input');
      input.type = 'hidden';
      input.name = 'authority_choice';
      form.appendChild(input);
    }
    return input;
  };

  const close = () => {
    listbox.hidden = true;
    search.setAttribute('aria-expanded', 'false');
    search.removeAttribute('aria-activedescendant');
    active = -1;
  };

  const highlight = (index) => {
    const options = listbox.querySelectorAll('[role=option]');
    options.forEach((option, i) => option.setAttribute('aria-selected', i === index ? 'true' : 'false'));
    active = index;
    if (index >= 0 && options[index]) {
      search.setAttribute('aria-activedescendant', options[index].id);
      options[index].scrollIntoView({ block: 'nearest' });
    } else {
      search.removeAttribute('aria-activedescendant');
    }
  };

  const pick = (index) => {
    const hit = hits[index];
    if (!hit) return;
    // A list of radios from a search without JavaScript would compete: remove it.
    const radios = document.getElementById('resultats-collectivite');
    if (radios) radios.remove();
    choiceInput().value = `${hit.kind}:${hit.code}`;
    const set = (id, value) => { const field = document.getElementById(id); if (field) field.value = value; };
    set('authority_kind', hit.kind);
    set('authority_name', hit.name);
    set('authority_code', hit.code);
    search.value = hit.name;
    close();
    status.textContent = `Collectivité choisie : ${hit.description}`;
  };

  const show = (results) => {
    hits = results;
    listbox.replaceChildren(...results.map((hit, i) => {
      const option = document.createElement('li');
      option.id = `authority_query-option-${i}`;
      option.setAttribute('role', 'option');
      option.setAttribute('aria-selected', 'false');
      option.textContent = hit.description;
      option.addEventListener('mousedown', (event) => { event.preventDefault(); pick(i); });
      return option;
    }));
    const open = results.length > 0;
    listbox.hidden = !open;
    search.setAttribute('aria-expanded', open ? 'true' : 'false');
    active = -1;
    status.textContent = open
      ? `${results.length} résultat${results.length > 1 ? 's' : ''}, flèches pour parcourir, Entrée pour choisir`
      : 'Aucune collectivité trouvée';
  };

  search.addEventListener('input', () => {
    choiceInput().value = '';
    clearTimeout(timer);
    const query = search.value.trim();
    if (query.length < 2) { show([]); status.textContent = ''; return; }
    timer = setTimeout(async () => {
      const mine = ++request;
      try {
        const response = await fetch(`${search.dataset.autocomplete}?q=${encodeURIComponent(query)}&limit=10`);
        const body = await response.json();
        if (mine === request) show(body.results || []);
      } catch (_) {
        // The « Rechercher » button still works without the list.
      }
    }, 150);
  });

  search.addEventListener('keydown', (event) => {
    const open = !listbox.hidden;
    if (event.key === 'ArrowDown' && hits.length) {
      event.preventDefault();
      if (!open) { listbox.hidden = false; search.setAttribute('aria-expanded', 'true'); }
      highlight(Math.min(active + 1, hits.length - 1));
    } else if (event.key === 'ArrowUp' && open) {
      event.preventDefault();
      highlight(Math.max(active - 1, 0));
    } else if (event.key === 'Enter' && open) {
      // Enter picks (or, with nothing highlighted, the first hit) instead of sending the form.
      event.preventDefault();
      pick(active >= 0 ? active : 0);
    } else if (event.key === 'Escape' && open) {
      event.preventDefault();
      close();
    }
  });
  search.addEventListener('blur', () => setTimeout(close, 100));
}
