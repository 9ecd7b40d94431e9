// Small DOM helpers: elements by id, and new elements whose text is always text (never HTML).

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
}

type Child = Node | string;

/** `<tag>` with attributes (`hidden`, `aria-*`, `data-*`, ...) and children as text nodes. */
export function el(tag: string, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

export function button(label: string, onClick: () => void, attributes: Record<string, string> = {}): HTMLElement {
  const element = el("button", { type: "button", ...attributes }, label);
  element.addEventListener("click", onClick);
  return element;
}

export function show(id: string, visible: boolean): void {
  byId(id).hidden = !visible;
}
