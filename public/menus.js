// Menus built on <details> (the service's gear menu): Escape closes the open one and gives focus
// back to its button; a click elsewhere closes it. Without this file the menus still work.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of document.querySelectorAll("details.gear[open]")) {
    menu.removeAttribute("open");
    menu.querySelector("summary")?.focus();
  }
});
document.addEventListener("click", (event) => {
  for (const menu of document.querySelectorAll("details.gear[open]")) {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  }
});
