from js import document

heading = document.querySelector("h1").textContent
print(f"src works, the page says {heading!r}")
