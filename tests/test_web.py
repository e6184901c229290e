"""Python in HTML (<script type="text/python"> tags), and Kiln as the npm
package kiln-python: installed from its packed tarball, run in Node,
type-checked with TypeScript."""

import json
import subprocess

from playwright.sync_api import expect

from kiln import config, toolchain
from kiln.dist import npm_package


def test_script_tags_run_in_order_in_one_interpreter(page, server_url, artifacts):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{server_url}/pages/tags.html")
    page.wait_for_function("window.events.some(([name]) => name === 'kiln:all-done')", timeout=120_000)
    expect(page.locator("#out-inline")).to_have_text("inline works\n")
    outputs = page.locator(".kiln-output").all_text_contents()
    assert "src works, the page says 'Script tags'\n" in outputs
    assert "async works\n" in outputs
    assert any(text.startswith("packages: 1.17.0 pluggy") for text in outputs)
    assert "worker says emscripten\n" in outputs
    assert any("hello from the test server" in text for text in outputs), "config [files] were fetched"
    expect(page.locator("#after")).to_have_text("still running after the failure")
    box = page.locator(".kiln-error")
    expect(box).to_have_count(1)
    expect(box).to_contain_text("Python error in Python script #5")
    expect(box).to_contain_text('raise ValueError("this tag fails")')
    expect(box).to_contain_text("ValueError: this tag fails")
    box.screenshot(path=str(artifacts / "script-tag-error-box.png"))
    assert any("Python script #5 failed" in e for e in errors), "the error also goes to the console"
    events = page.evaluate("window.events")
    assert events[0] == ["kiln:ready", "window"]
    assert events[-1] == ["kiln:all-done", "window"]
    assert [e for e in events if e[0] in ("kiln:done", "kiln:error")] == [
        ["kiln:done", "inline"], ["kiln:done", "from-src"], ["kiln:done", "async"], ["kiln:done", "packages"],
        ["kiln:error", "failing"], ["kiln:done", "after-failure"], ["kiln:done", "in-worker"],
    ]
    # A tag added after load runs too.
    page.evaluate("""() => {
        const tag = document.createElement("script");
        tag.type = "text/python";
        tag.id = "late";
        tag.textContent = "print('added later', 6 * 7)";
        document.body.append(tag);
    }""")
    page.wait_for_function("window.events.some(([name, id]) => id === 'late')", timeout=30_000)
    assert page.locator("#late + .kiln-output").text_content() == "added later 42\n"


def test_the_one_line_page_works_with_no_other_javascript(page, server_url, http_root):
    (http_root / "files").mkdir(exist_ok=True)
    (http_root / "files" / "hi.html").write_text(
        '<script src="/dist/kiln.js"></script><script type="text/python">from js import document; '
        'document.body.append("hi from Python")</script>'
    )
    page.goto(f"{server_url}/files/hi.html")
    expect(page.locator("body")).to_contain_text("hi from Python", timeout=60_000)


def test_npm_package_installs_runs_and_type_checks(tmp_path):
    tarball = npm_package.build()
    size = tarball.stat().st_size
    project = tmp_path / "project"
    project.mkdir()
    (project / "package.json").write_text(json.dumps({"name": "scratch", "private": True, "type": "module"}))
    npm = ["npm", "install", "--no-audit", "--no-fund", "--offline", "--loglevel=error", str(tarball)]
    subprocess.run(npm, cwd=project, check=True, env={**toolchain.env(), "npm_config_cache": str(tmp_path / "npm-cache")})
    (project / "main.mjs").write_text(
        'import { loadKiln, version } from "kiln-python";\n'
        'const kiln = await loadKiln();\n'
        'await kiln.loadPackage("pluggy");\n'
        'console.log(JSON.stringify([version, kiln.runPython("import sys, pluggy; sys.version.split()[0]")]));\n'
    )
    out = subprocess.run([str(toolchain.node_binary()), "main.mjs"], cwd=project, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [config.KILN_VERSION, config.PYTHON_VERSION]
    (project / "usage.ts").write_text(
        'import { loadKiln, type KilnAPI, type PyProxy, PythonError } from "kiln-python";\n'
        "const kiln: KilnAPI = await loadKiln({ stdout: (line: string) => console.log(line), packages: [\"numpy\"] });\n"
        "const answer: number = kiln.runPython(\"6 * 7\");\n"
        "const sum: PyProxy = kiln.globals.get(\"sum\");\n"
        "const installed = await kiln.install([\"six\"], { index_urls: [\"https://example.org/simple\"] });\n"
        "const names: string[] = installed.map((p) => p.name);\n"
        "const worker = await loadKiln({ worker: true });\n"
        "const fromWorker: Promise<unknown> = worker.runPython(\"1\");\n"
        "worker.interrupt();\n"
        "try { kiln.runPython(\"1/0\"); } catch (e) { if (e instanceof PythonError) console.log(e.type); }\n"
        "console.log(answer, sum.type, names, fromWorker);\n"
    )
    (project / "tsconfig.json").write_text(json.dumps({
        "compilerOptions": {"target": "es2022", "module": "nodenext", "moduleResolution": "nodenext", "strict": True,
                            "noEmit": True, "skipLibCheck": False, "lib": ["es2022", "dom"]},
        "files": ["usage.ts"],
    }))
    tsc = config.LOADER_DIR / "node_modules" / ".bin" / "tsc"
    checked = subprocess.run([str(tsc), "-p", "tsconfig.json"], cwd=project, capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    (project / "wrong.ts").write_text('import { loadKiln } from "kiln-python";\nconst n: number = (await loadKiln()).version;\n')
    config_text = (project / "tsconfig.json").read_text()
    (project / "tsconfig.wrong.json").write_text(config_text.replace('"usage.ts"', '"wrong.ts"'))
    wrong = subprocess.run([str(tsc), "-p", "tsconfig.wrong.json"], cwd=project, capture_output=True, text=True, timeout=120)
    assert wrong.returncode != 0 and "not assignable to type 'number'" in wrong.stdout, "the declarations catch type errors"
    print(f"\nnpm package {npm_package.NAME}: {size / 1e6:.1f} MB packed")


def _examples() -> dict[str, str]:
    """The HTML examples of docs/web.md, by name."""
    text = (config.ROOT / "docs" / "web.md").read_text()
    examples = {}
    for part in text.split("<!-- example: ")[1:]:
        name, rest = part.split(" -->", 1)
        examples[name] = rest.split("```html\n", 1)[1].split("```", 1)[0]
    return examples


def test_docs_examples_work_as_written(page, server_url, http_root):
    examples = _examples()
    assert sorted(examples) == ["button", "hello", "numpy-canvas", "worker"]
    folder = http_root / "examples"
    folder.mkdir(exist_ok=True)
    for name, html in examples.items():
        (folder / f"{name}.html").write_text(html.replace('src="kiln.js"', 'src="/dist/kiln.js"'))

    page.add_init_script("window.addEventListener('kiln:all-done', () => { window.allDone = true; })")
    page.goto(f"{server_url}/examples/hello.html")
    expect(page.locator("body")).to_contain_text("hi from Python", timeout=60_000)

    page.goto(f"{server_url}/examples/button.html")
    page.wait_for_function("window.allDone === true", timeout=60_000)
    page.locator("#greet").click()
    page.locator("#greet").click()
    expect(page.locator("#greeting")).to_have_text("Hello from Python (2)")

    page.goto(f"{server_url}/examples/numpy-canvas.html")
    expect(page.locator("#stats")).to_have_text("min 30.3 max 113.5", timeout=120_000)
    inked = page.evaluate("""() => {
        const data = document.getElementById("plot").getContext("2d").getImageData(0, 0, 320, 160).data;
        let n = 0; for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++; return n;
    }""")
    assert inked > 300, "the curve was drawn"

    page.goto(f"{server_url}/examples/worker.html")
    expect(page.locator("#result")).to_have_text("sum of squares: 333332833333500000\n", timeout=120_000)
