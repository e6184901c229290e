// Package names and wheel file names.

/** PEP 503 name normalization: "Foo_Bar.baz" and "foo-bar-baz" are one package. */
export function canonicalName(name) {
  return String(name).toLowerCase().replace(/[-_.]+/g, "-");
}

function editDistance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

/** Up to three of `candidates` closest to `name`. */
export function closestNames(name, candidates) {
  const wanted = canonicalName(name);
  return [...candidates]
    .map((candidate) => [editDistance(wanted, candidate), candidate])
    .sort((a, b) => a[0] - b[0])
    .slice(0, 3)
    .filter(([distance]) => distance <= Math.max(2, wanted.length / 2))
    .map(([, candidate]) => candidate);
}

/** A wheel's parts from its file name (PEP 427), or null if it is not a wheel. */
export function wheelTags(fileName) {
  const match = /^([^-]+)-([^-]+)(?:-\d[^-]*)?-([^-]+)-([^-]+)-([^-]+)\.whl$/.exec(fileName);
  if (!match) return null;
  return { name: match[1], version: match[2], python: match[3], abi: match[4], platform: match[5] };
}

/** Refuse wheels built for another platform or Python, naming what they are for. */
export function checkWheelCompatible(fileName) {
  const tags = wheelTags(fileName);
  if (!tags) return;
  const platforms = tags.platform.split(".");
  const pythons = tags.python.split(".");
  const platformOk = platforms.includes("any") || platforms.includes(KILN_PLATFORM);
  const pythonOk = pythons.some((p) => p === "py3" || p === "py2" || p === KILN_PYTHON_TAG || (tags.abi === "abi3" && p.startsWith("cp3")));
  if (!platformOk || !pythonOk) {
    throw new Error(
      `kiln: cannot install ${fileName}: it is built for ${tags.platform} (Python ${tags.python}), ` +
        `but Kiln runs pure-Python wheels and ${KILN_PLATFORM} wheels for ${KILN_PYTHON_TAG}`,
    );
  }
}

/** A wheel URL (or path) rather than a package name. */
export function isWheelURL(spec) {
  return spec.includes("/") || spec.split("#", 1)[0].split("?", 1)[0].endsWith(".whl");
}

/** A requirement with a version, extras, marker or URL, rather than a bare name. */
export function isRequirement(spec) {
  return /[<>=!~;@\[\s]/.test(spec) && !isWheelURL(spec);
}

/** The sha256 a URL pins in its fragment (`#sha256=<hex>`), or null. */
export function sha256FromFragment(url) {
  const match = /#(?:.*&)?sha256=([0-9a-fA-F]{64})/.exec(url);
  return match ? match[1].toLowerCase() : null;
}
