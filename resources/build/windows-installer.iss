; Inno Setup (6.3 or newer) script: a per-user installer for the packaged Windows app. It asks for no
; administrator rights, installs into %LOCALAPPDATA%\Programs\Voice Assistant, adds a Start menu
; shortcut (and, if ticked, a desktop one) and an uninstaller listed under Settings > Apps.
;
; UNTRIED: written from Inno Setup 6's documentation; no Windows machine was at hand to compile or run it.
;
;   .venv\Scripts\pyinstaller --noconfirm build.spec            -> dist\Voice Assistant\
;   "%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe" resources\build\windows-installer.iss
;                                                               -> dist\VoiceAssistant-<version>-setup.exe
;
; The version is read from the executable (build.spec stamps it); /DAppVersion=1.2.3 overrides it.
; Uninstalling leaves the calendar, knowledge index, log and settings in the user's folders, as
; removing the app does on the other systems.

#define AppName "Voice Assistant"
#define AppId "org.voiceassistant.VoiceAssistant"   ; desktop.storage.paths.APP_ID
#define AppExe "voice-assistant.exe"
#define Bundle SourcePath + "..\..\dist\Voice Assistant"
#ifndef AppVersion
  #define AppVersion GetStringFileInfo(Bundle + "\" + AppExe, "ProductVersion")
#endif

[Setup]
AppId={#AppId}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=The Voice Assistant developers
VersionInfoVersion={#AppVersion}
; Per user: {autopf} is %LOCALAPPDATA%\Programs when the installer runs without administrator rights.
PrivilegesRequired=lowest
DefaultDirName={autopf}\{#AppName}
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SetupIconFile={#SourcePath}..\icons\app.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
; An update closes the running app (Windows' Restart Manager) before replacing its files.
CloseApplications=yes
OutputDir={#SourcePath}..\..\dist
OutputBaseFilename=VoiceAssistant-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An update replaces the whole bundle: libraries an older version carried must not linger beside the new ones.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
; The shortcuts carry the executable's own icon (build.spec embeds resources\icons\app.ico). No
; AppUserModelID: the app does not set one on its process, and a shortcut with one would split the
; taskbar button from the running window.
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
