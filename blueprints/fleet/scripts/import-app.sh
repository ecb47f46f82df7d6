#!/usr/bin/env bash
# import-app.sh: bring an existing application into a namespace package of the mesh.
#
#   scripts/import-app.sh NAMESPACE SOURCE FILE
#
# SOURCE is a kustomize base (a folder with a kustomization.yaml, or a remote base
# kustomize accepts, e.g. https://github.com/ORG/REPO//kustomize/base?ref=v1.2.3), a folder
# of plain manifests or one manifest file. FILE is the file to write, in the namespace
# package (a folder with a Kptfile), e.g. boutique/boutique.yaml.
#
# It builds SOURCE with standalone kustomize (KUSTOMIZE, default `kustomize`; v5.8.2 is
# tested) through a kustomization of its own that puts every namespaced object in
# NAMESPACE, and writes the result to FILE atomically: the whole file or nothing, never
# through a symlink. Nothing SOURCE names is run: no --enable-exec, no
# --enable-alpha-plugins, no --enable-helm. An application with a Namespace object of its
# own is refused: the package's namespace.yaml is its Namespace. Run it again to update the
# application (FILE is replaced, then render at the root to inject it).
set -euo pipefail

die() { echo "import-app: $*" >&2; exit 1; }

[ $# -eq 3 ] || die "usage: import-app.sh NAMESPACE SOURCE FILE"
namespace=$1 source=$2 file=$3
kustomize=${KUSTOMIZE:-kustomize}

[[ $namespace =~ ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$ ]] || die "namespace $namespace is not a DNS label (RFC 1123)"
case $file in *.yaml | *.yml) ;; *) die "$file: FILE must end in .yaml or .yml, so that kpt reads it" ;; esac
dir=$(dirname -- "$file")
[ -f "$dir/Kptfile" ] || die "$dir is not a kpt package (no Kptfile): FILE goes into the namespace package"
# Every folder of FILE's path, as the kernel walks it, must be a folder and not a symlink
# (checking only the last one would let link/pkg/app.yaml write where link points).
prefix=
IFS=/ read -ra parts <<<"$file"
for part in "${parts[@]}"; do
	prefix=${prefix:+$prefix/}$part
	[ -n "$part" ] && [ "$part" != . ] || { [ -n "$prefix" ] || prefix=/; continue; }
	[ ! -L "$prefix" ] || die "$file: refusing to write through a symlink ($prefix)"
done
[ ! -e "$file" ] || [ -f "$file" ] || die "$file exists and is not a regular file"
command -v "$kustomize" >/dev/null || die "kustomize not found ($kustomize); install standalone kustomize v5.8.2 or set KUSTOMIZE"

work=$(mktemp -d)
tmp=
trap 'rm -rf -- "$work"; [ -z "$tmp" ] || rm -f -- "$tmp"' EXIT

# The kustomization that puts the application in the namespace. Its resource is the base
# itself (through a link: kustomize takes a folder outside its root, but not by an
# absolute path), or copies of the plain manifests.
if [ -d "$source" ] && { [ -f "$source/kustomization.yaml" ] || [ -f "$source/kustomization.yml" ] || [ -f "$source/Kustomization" ]; }; then
	ln -s -- "$(cd -- "$source" && pwd -P)" "$work/base"
	resources=(base)
elif [ -d "$source" ] || [ -f "$source" ]; then
	resources=()
	mkdir "$work/manifests"
	if [ -f "$source" ]; then
		files=("$source")
	else
		shopt -s nullglob
		files=("$source"/*.yaml "$source"/*.yml)
		shopt -u nullglob
	fi
	for f in "${files[@]}"; do
		[ -f "$f" ] && [ ! -L "$f" ] || die "$f: not a regular file"
		n=$(( ${#resources[@]} + 1 ))
		cp -- "$f" "$work/manifests/$n-$(basename -- "$f")"
		resources+=("manifests/$n-$(basename -- "$f")")
	done
	[ ${#resources[@]} -gt 0 ] || die "$source holds no .yaml or .yml file"
elif [[ $source == *://* || $source == github.com/* ]]; then
	resources=("$source")
else
	die "$source: no such file or folder"
fi
{
	echo "apiVersion: kustomize.config.k8s.io/v1beta1"
	echo "kind: Kustomization"
	echo "namespace: $namespace"
	echo "resources:"
	for r in "${resources[@]}"; do printf -- '- "%s"\n' "${r//\"/\\\"}"; done
} >"$work/kustomization.yaml"

if ! "$kustomize" build "$work" >"$work/app.yaml" 2>"$work/err"; then
	cat "$work/err" >&2
	die "kustomize build of $source failed"
fi
if grep -q '^kind: Namespace$' "$work/app.yaml"; then
	die "$source has a Namespace object: remove it from the application (the package's namespace.yaml is its Namespace)"
fi
version=$("$kustomize" version 2>/dev/null || echo unknown)

tmp=$(mktemp "$dir/.import-app.XXXXXX")
{
	echo "# $source, put in namespace $namespace by scripts/import-app.sh (kustomize $version)."
	echo "# Do not edit: run it again to update, then render at the repository's root."
	cat "$work/app.yaml"
} >"$tmp"
chmod 644 "$tmp"
mv -f -- "$tmp" "$file"
tmp=
echo "import-app: wrote $file: $(grep -c '^kind: ' "$work/app.yaml") objects of $source in namespace $namespace; render at the repository's root to inject them"
