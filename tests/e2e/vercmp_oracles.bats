#!/usr/bin/env bats
# cairn vercmp against each ecosystem's own implementation, asked at run time: python3-packaging for
# PyPI, Maven 3.8.7's ComparableVersion (libmaven3-core-java, run with java), dpkg --compare-versions
# for Debian and Gem::Version (ruby) for RubyGems. scripts/deps installs them all; a test whose tool is
# missing fails, saying which package provides it (a check that is skipped checks nothing).
#
# Each test generates 120 to 150 tricky pairs from a fixed seed (CAIRN_ORACLE_SEED changes
# it), has the real tool answer every pair, and requires cairn to give the same answer for each.

load helpers

SEED="${CAIRN_ORACLE_SEED:-20240601}"
MAVEN_JAR=/usr/share/java/maven3-artifact.jar

# A python3 that can import packaging: Debian's, which scripts/deps gives python3-packaging.
packaging_python() {
	local py
	for py in python3 /usr/bin/python3; do
		if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import packaging.version' 2>/dev/null; then
			echo "$py"
			return 0
		fi
	done
	return 1
}

missing_tool() {
	echo "$1" >&2
	return 1
}

# Any python3, to generate versions.
any_python() {
	command -v python3 || command -v /usr/bin/python3
}

# Reads "A<TAB>B<TAB>WANT" lines from file $2 and asks cairn about each under ecosystem $1. Fails
# naming the first disagreements, or when fewer than $3 pairs were checked.
expect_cairn_agrees() {
	local eco="$1" file="$2" min="$3" a b want got n=0 bad=0
	while IFS=$'\t' read -r a b want; do
		n=$((n + 1))
		got=$(cairn vercmp "$eco" "$a" "$b" 2>&1) || true
		if [ "$got" != "$want" ]; then
			bad=$((bad + 1))
			[ "$bad" -le 10 ] && echo "$eco: cairn vercmp '$a' '$b' gave '$got', the real tool says $want" >&2
		fi
	done <"$file"
	echo "$eco: $n pairs checked, $bad disagree (seed $SEED)" >&2
	[ "$n" -ge "$min" ] && [ "$bad" -eq 0 ]
}

@test "PyPI: agrees with python3-packaging's Version ordering" {
	py=$(packaging_python) || missing_tool "python3-packaging is not installed (scripts/deps installs it)"
	"$py" - "$SEED" >pairs.tsv <<'EOF'
import random, sys
from packaging.version import Version, InvalidVersion
rnd = random.Random(int(sys.argv[1]))
def num():
    return rnd.choice(["0", "1", "2", "9", "10", "01", "00", "007", "99999999999999999999", "1" * 25])
def version():
    s = rnd.choice(["", "", "", "v", "V", "1!", "2!", "0!"])
    s += ".".join(num() for _ in range(rnd.randint(1, 4)))
    if rnd.random() < 0.5:
        s += rnd.choice(["", ".", "-", "_"]) + rnd.choice(["a", "b", "rc", "c", "alpha", "beta", "pre", "preview", "RC", "A"])
        s += rnd.choice(["", num()])
    if rnd.random() < 0.3:
        s += rnd.choice([".post", "-post", "post", ".r", "-rev", "-"]) + num()
    if rnd.random() < 0.3:
        s += rnd.choice([".dev", "-dev", "dev", ".DEV"]) + rnd.choice(["", num()])
    if rnd.random() < 0.2:
        s += "+" + rnd.choice(["abc", "1", "ubuntu.1", "a-b_c", "0.1", "A1"])
    return s
seen = 0
while seen < 150:
    a, b = version(), version()
    if rnd.random() < 0.2:
        b = a  # same release, exercise normalisation (case, separators, implicit numbers)
        b = b.replace("-", ".", 1) if "-" in b else b + rnd.choice([".0", "-0", "+x"])
    try:
        va, vb = Version(a), Version(b)
    except InvalidVersion:
        continue
    print("%s\t%s\t%d" % (a, b, (va > vb) - (va < vb)))
    seen += 1
EOF
	expect_cairn_agrees PyPI pairs.tsv 150
}

@test "Maven: agrees with Maven 3.8.7's ComparableVersion" {
	command -v java >/dev/null 2>&1 || missing_tool "java is not installed (scripts/deps installs default-jre-headless)"
	[ -r "$MAVEN_JAR" ] || missing_tool "$MAVEN_JAR is missing (scripts/deps installs libmaven3-core-java)"
	py=$(any_python) || missing_tool "python3 is not installed"
	"$py" - "$SEED" >versions.txt <<'EOF'
import random, sys
rnd = random.Random(int(sys.argv[1]))
nums = ["0", "1", "2", "00", "01", "10", "9", "000", "123456789", "1234567890", "0000000000",
        "999999999", "123456789012345678", "1234567890123456789", "00000000000000000000", "20230101"]
words = ["alpha", "a", "b", "m", "beta", "milestone", "rc", "cr", "CR", "snapshot", "SNAPSHOT", "ga",
         "final", "Final", "release", "RELEASE", "sp", "x", "foo", "jre", "v", "A", "M", "pre", "_", "+1"]
seps = [".", "-", "", ".", "-", "..", "--", ".-", "-."]
def version():
    parts = []
    for i in range(rnd.randint(1, 6)):
        parts.append(rnd.choice(nums) if rnd.random() < 0.55 else rnd.choice(words))
        parts.append(rnd.choice(seps))
    v = "".join(parts[:-1]) + rnd.choice(["", "", "", ".", "-"])
    return v if v and not v.startswith("-") else "1" + v
prev = None
for _ in range(151):
    v = version()
    if prev is not None and rnd.random() < 0.3:  # a near neighbour of the version before
        v = prev + rnd.choice([".0", "-0", ".ga", "-final", "-1", ".1", "a1", "-sp"])
    print(v)
    prev = v
EOF
	mapfile -t versions <versions.txt
	# Its main prints "   A < B" (or == or >) for every two adjacent arguments.
	java -cp "$MAVEN_JAR" org.apache.maven.artifact.versioning.ComparableVersion "${versions[@]}" >maven.out
	awk '/^   [^ ]+ (<|==|>) [^ ]+$/ { print $1 "\t" $3 "\t" ($2 == "<" ? -1 : $2 == ">" ? 1 : 0) }' \
		maven.out >pairs.tsv
	[ "$(wc -l <pairs.tsv)" -eq $((${#versions[@]} - 1)) ] || { cat maven.out >&2; false; }
	expect_cairn_agrees Maven pairs.tsv 150
}

@test "Debian: agrees with dpkg --compare-versions" {
	command -v dpkg >/dev/null 2>&1 || missing_tool "dpkg is not installed"
	py=$(any_python) || missing_tool "python3 is not installed"
	"$py" - "$SEED" >candidates.tsv <<'EOF'
import random, sys
rnd = random.Random(int(sys.argv[1]))
def part(first):
    s = rnd.choice("0123456789") if first else ""
    for _ in range(rnd.randint(0, 6)):
        s += rnd.choice(["0", "1", "9", "10", "00", "a", "b", "z", "A", "Z", ".", "+", "~", "~~", "~rc1",
                         "+dfsg", "+b1", "ubuntu", "1.2", "99999999999999999999"])
    return s
def version():
    v = rnd.choice(["", "", "", "1:", "2:", "0:", "10:"]) + part(True)
    if rnd.random() < 0.6:
        rev = part(False).replace(":", "") or "1"
        v = v + "-" + rev.lstrip("-")
        if rnd.random() < 0.2:
            v = v.replace("-", "-1-", 1)  # a hyphen inside the upstream part
    return v
for _ in range(190):
    a = version()
    b = a if rnd.random() < 0.1 else version()
    if rnd.random() < 0.2:
        b = a + rnd.choice(["~", "~1", "+", "0", ".0", "a"])
    print("%s\t%s" % (a, b))
EOF
	: >pairs.tsv
	while IFS=$'\t' read -r a b; do
		# Keep only pairs dpkg accepts silently (it warns about versions it finds invalid).
		if dpkg --compare-versions "$a" lt "$b" 2>warn; then want=-1
		elif dpkg --compare-versions "$a" eq "$b" 2>>warn; then want=0
		else want=1; fi
		[ -s warn ] || printf '%s\t%s\t%s\n' "$a" "$b" "$want" >>pairs.tsv
	done <candidates.tsv
	expect_cairn_agrees Debian pairs.tsv 120
}

@test "RubyGems: agrees with Gem::Version" {
	command -v ruby >/dev/null 2>&1 || missing_tool "ruby is not installed (scripts/deps installs it)"
	ruby - "$SEED" >pairs.tsv <<'EOF'
srand(ARGV[0].to_i)
nums = %w[0 1 2 9 10 01 00 007 99999999999999999999]
words = %w[a b pre rc alpha beta RC Beta x z]
gen = lambda do
  s = nums.sample
  rand(0..3).times { s += "." + (rand < 0.7 ? nums.sample : words.sample) }
  s += ["-", "-", "."].sample + [words.sample, nums.sample].sample if rand < 0.4
  s += [".", "-"].sample + (rand < 0.5 ? nums.sample : words.sample) if rand < 0.2
  s
end
n = 0
while n < 120
  a = gen.call
  b = rand < 0.2 ? a + [".0", ".0.0", "-0", ".a"].sample : gen.call
  begin
    r = Gem::Version.new(a) <=> Gem::Version.new(b)
  rescue ArgumentError
    next
  end
  puts "#{a}\t#{b}\t#{r}"
  n += 1
end
EOF
	expect_cairn_agrees RubyGems pairs.tsv 120
}
