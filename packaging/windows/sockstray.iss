; Inno Setup 6 script for Sockstray. build.ps1 runs it as
;   iscc /DAppVersion=X.Y.Z /DSourceDir=...\dist\windows [/DSign /Ssockstray=...] sockstray.iss
; A per-user install by default (no administrator rights), a machine-wide
; one when the user picks it.

#ifndef AppVersion
  #error Pass /DAppVersion=X.Y.Z
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\windows"
#endif

[Setup]
AppId=io.github.sockstray.Sockstray
AppName=Sockstray
AppVersion={#AppVersion}
AppPublisher=The Sockstray developers
AppPublisherURL=https://github.com/sockstray/sockstray
AppSupportURL=https://github.com/sockstray/sockstray/issues
DefaultDirName={autopf}\Sockstray
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputBaseFilename=Sockstray-{#AppVersion}-windows-amd64-setup
UninstallDisplayIcon={app}\Sockstray.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
#ifdef Sign
SignTool=sockstray
SignedUninstaller=yes
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\Sockstray.exe"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\Sockstray"; Filename: "{app}\Sockstray.exe"
Name: "{autodesktop}\Sockstray"; Filename: "{app}\Sockstray.exe"; Tasks: desktopicon

[Registry]
; "Start at login" writes this value from the app (app/autostart); the
; uninstaller removes it, and creates nothing.
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: none; ValueName: "Sockstray"; Flags: uninsdeletevalue dontcreatekey

[Run]
Filename: "{app}\Sockstray.exe"; Description: "{cm:LaunchProgram,Sockstray}"; Flags: nowait postinstall skipifsilent
