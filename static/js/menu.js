// The menu button on a narrow screen shows and hides the menu: what Bootstrap's collapse did,
// without its 80 KB bundle (the one piece of Bootstrap's JavaScript StudyHub's pages used).
const button = document.querySelector(".navbar-toggler");
const menu = button && document.getElementById(button.getAttribute("aria-controls"));
button?.addEventListener("click", () => {
  button.setAttribute("aria-expanded", String(menu.classList.toggle("show")));
});
