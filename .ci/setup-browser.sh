# Sourced by .ci/run: headless Chromium, LibreOffice Calc and Writer and CJK fonts for the export/report tests.
# Idempotent and quiet; if installing fails the tests that need these binaries skip with a reason.
_zhiben_setup_browser() {
  local need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc)
  # Writer converts the 通报 (.docx) to PDF in its test.
  dpkg-query -W -f='${Status}' libreoffice-writer 2>/dev/null | grep -q "ok installed" || need+=(libreoffice-writer)
  dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "ok installed" || need+=(fonts-noto-cjk)
  [ ${#need[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo"
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"; } >/dev/null 2>&1; then
    echo "setup-browser: could not install ${need[*]}; tests needing them will be skipped" >&2
  fi
  return 0
}
_zhiben_setup_browser
unset -f _zhiben_setup_browser
