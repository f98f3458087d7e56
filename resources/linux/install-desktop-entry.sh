#!/bin/sh
# Puts the packaged Voice Assistant into the desktop's launcher for the current user: the desktop entry
# (pointing at this bundle's executable), its icons and its AppStream metainfo, all under
# ${XDG_DATA_HOME:-~/.local/share}. Nothing outside the home folder is touched, and no root is needed.
#
#   sh "dist/Voice Assistant/_internal/resources/linux/install-desktop-entry.sh"              install
#   sh "dist/Voice Assistant/_internal/resources/linux/install-desktop-entry.sh" --uninstall  remove
#   ... --exec /path/to/voice-assistant    point the entry at another executable (e.g. a venv's)
#
# Run it again after moving the app's folder: the entry names the executable by its absolute path.
set -eu

APP_ID=org.voiceassistant.VoiceAssistant  # desktop.storage.paths.APP_ID
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
ENTRY=$DATA/applications/$APP_ID.desktop
METAINFO=$DATA/metainfo/$APP_ID.metainfo.xml
ICONS=$DATA/icons/hicolor

usage() {
    echo "usage: $0 [--exec EXECUTABLE] [--uninstall]" >&2
    exit 2
}

# The bundle's executable: this script sits in <bundle>/_internal/resources/linux/ (PyInstaller 6) or
# <bundle>/resources/linux/ (older layouts).
bundled_executable() {
    for root in "$HERE/../../.." "$HERE/../.."; do
        if [ -x "$root/voice-assistant" ] && [ -f "$root/voice-assistant" ]; then
            (cd "$root" && printf '%s/voice-assistant\n' "$(pwd)")
            return 0
        fi
    done
    return 1
}

# A desktop entry's string escaping: a backslash is written twice.
string_escaped() {
    printf '%s' "$1" | sed -e 's/\\/\\\\/g'
}

# An Exec argument: double-quoted, with " ` $ and \ escaped inside the quotes (then the string escaping
# on top).
exec_quoted() {
    quoted=$(printf '%s' "$1" | sed -e 's/[\\"`$]/\\&/g')
    printf '"%s"' "$(string_escaped "$quoted")"
}

refresh_caches() {
    # Launchers watch these folders; caches already there are refreshed, none is created (a cache
    # that nothing else refreshes would later hide other apps' entries and icons).
    if [ -f "$DATA/applications/mimeinfo.cache" ] && command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$DATA/applications" 2>/dev/null || true
    fi
    if [ -f "$ICONS/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t "$ICONS" 2>/dev/null || true
    fi
}

uninstall() {
    rm -f "$ENTRY" "$METAINFO"
    rm -f "$ICONS"/*/apps/"$APP_ID".png
    refresh_caches
    echo "Removed Voice Assistant from the launcher ($DATA)."
}

install() {
    executable=$1
    [ -f "$executable" ] && [ -x "$executable" ] || { echo "$executable is not an executable file." >&2; exit 1; }
    case $executable in
        /*) ;;
        *) executable=$(cd "$(dirname "$executable")" && pwd)/$(basename "$executable") ;;
    esac
    case $executable in
        # A % would have to be doubled in Exec, and GLib (GNOME) then looks for the doubled path and
        # hides the entry: such a path cannot be launched from every desktop.
        *%* | *"
"*) echo "The app's path holds a % or a line break; move the app to a folder without one." >&2; exit 1 ;;
    esac
    mkdir -p "$DATA/applications" "$DATA/metainfo"
    for folder in "$HERE"/icons/hicolor/*/apps; do
        size=$(basename "$(dirname "$folder")")
        mkdir -p "$ICONS/$size/apps"
        cp "$folder/$APP_ID.png" "$ICONS/$size/apps/$APP_ID.png"
    done
    # The entry as shipped, with this executable: Exec quoted (the folder name has a space), TryExec
    # plain (a launcher hides the entry once the executable is gone).
    quoted=$(exec_quoted "$executable")
    temporary=$ENTRY.tmp
    while IFS= read -r line || [ -n "$line" ]; do
        case $line in
            Exec=*) printf 'Exec=%s\nTryExec=%s\n' "$quoted" "$(string_escaped "$executable")" ;;
            *) printf '%s\n' "$line" ;;
        esac
    done <"$HERE/$APP_ID.desktop" >"$temporary"
    mv "$temporary" "$ENTRY"
    cp "$HERE/$APP_ID.metainfo.xml" "$METAINFO"
    refresh_caches
    echo "Voice Assistant is in the launcher now ($ENTRY -> $executable)."
}

action=install
executable=
while [ $# -gt 0 ]; do
    case $1 in
        --uninstall) action=uninstall ;;
        --exec) [ $# -ge 2 ] || usage; executable=$2; shift ;;
        -h | --help) echo "usage: $0 [--exec EXECUTABLE] [--uninstall]"; exit 0 ;;
        *) usage ;;
    esac
    shift
done

if [ "$action" = uninstall ]; then
    uninstall
    exit 0
fi
if [ -z "$executable" ]; then
    executable=$(bundled_executable) || {
        echo "No packaged app around this script; name the executable with --exec PATH." >&2
        exit 1
    }
fi
install "$executable"
