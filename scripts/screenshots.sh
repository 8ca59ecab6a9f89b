#!/usr/bin/env bash
# Screenshots for docs/screenshots/: of the desktop app, taken by the
# real-window tests (desktop/realwindow) while they drive the app under
# their own Xvfb (each test step saves the screen, and this script keeps
# the ones the READMEs show), and of the office console, taken by its
# tests in headless Chromium. `make screenshots` calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${SCREENSHOT_DIR:-docs/screenshots}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

LAOXIAO_SCREENSHOTS="$work" go test ./desktop/realwindow -run 'Test' -count=1 -timeout 20m
# The office console's pages, taken by its headless-Chromium tests.
LAOXIAO_SCREENSHOTS="$work/console" go test ./syncserver/console -run 'Browser' -count=1 -timeout 10m

keep() { # TEST STEP NAME: the step's screenshot (any number) as NAME.png
	local src
	src=$(ls "$work/$1"/[0-9][0-9]-"$2".png 2>/dev/null | head -1)
	if [[ -z "$src" ]]; then
		echo "screenshots: no step $2 in $1" >&2
		exit 1
	fi
	cp "$src" "$out/$3.png"
	echo "wrote $out/$3.png"
}
keep TestFacilityRegisteredByClicksAndTyping facilities facilities
keep TestFacilityRegisteredByClicksAndTyping dropdown-请选择机构类型 facilities-dropdown
keep TestFacilityRegisteredByClicksAndTyping problems facilities-invalid
keep TestFacilityRegisteredByClicksAndTyping context-menu facilities-context-menu
keep TestCapacityGridByKeyboard typed capacity
keep TestPersonAndVisitsByClicksAndTyping persons persons
keep TestPersonAndVisitsByClicksAndTyping visit-corrected visit-correction
keep TestPopulationGridByKeyboard saved population
keep TestIndicatorsAndSyncTabs indicators indicators
keep TestIndicatorsAndSyncTabs sync sync
keep TestIndicatorsAndSyncTabs discard-confirm sync-discard-confirm
keep TestFirstRunOnEmptyFolder data-folder first-run-folder
keep TestFirstRunOnEmptyFolder township first-run
keep TestFirstRunOnEmptyFolder certificate-dialog first-run-certificate
keep TestCrashIsRecordedAndToldNextStart crash-told crash-next-start
for page in login sync breakdown review devices audit forbidden targets targets-error tasks lineage sync-health; do
	cp "$work/console/console-$page.png" "$out/console-$page.png"
	echo "wrote $out/console-$page.png"
done
