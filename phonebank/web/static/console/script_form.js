// The script editor: "Add another" copies a blank element with the next index. Without this
// module the editor still works: every save shows one blank element of each kind.
for (const button of document.querySelectorAll("button[data-add]")) {
  const part = button.dataset.add;
  const section = button.closest("section");
  const count = section.querySelector(`input[name="${part}_count"]`);
  const blank = section.querySelector("fieldset.element:last-of-type").cloneNode(true);
  button.hidden = false;
  button.addEventListener("click", () => {
    const index = Number(count.value);
    const copy = blank.cloneNode(true);
    const from = new RegExp(`${part}\\[\\d+\\]`, "g");
    const fromId = new RegExp(`f-${part}-\\d+-`, "g");
    for (const node of copy.querySelectorAll("[name], [id], [for], [aria-describedby]")) {
      for (const attribute of ["name", "id", "for", "aria-describedby"]) {
        const value = node.getAttribute(attribute);
        if (value) node.setAttribute(attribute, value.replace(from, `${part}[${index}]`).replace(fromId, `f-${part}-${index}-`));
      }
    }
    for (const input of copy.querySelectorAll("input:not([type=checkbox]), textarea")) input.value = "";
    for (const input of copy.querySelectorAll("input[type=checkbox]")) input.checked = false;
    const order = copy.querySelector("input.order");
    if (order) order.value = String(index + 1);
    copy.querySelector("legend").textContent = copy.querySelector("legend").textContent.replace(/\d+/, String(index + 1));
    copy.dataset.index = String(index);
    button.before(copy);
    count.value = String(index + 1);
    copy.querySelector("input:not([type=hidden]), textarea").focus();
  });
}
