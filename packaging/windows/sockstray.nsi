; The Sockstray installer, built on Linux with Debian's NSIS:
;   makensis -DVERSION=X.Y.Z -DVIVERSION=X.Y.Z.N -DEXE=path\sockstray.exe -DOUTFILE=setup.exe sockstray.nsi
; (packaging/windows/build-installer.sh). Per-user by default, with no
; administrator rights; per-machine when the user picks it or passes
; /AllUsers. Silent for package managers: setup.exe /S [/AllUsers]
; [/StartAtLogin] [/D=DIR], and uninstall.exe /S.

Unicode true
; The default 32-bit stub cannot run on 64-bit-only Windows or Wine and
; fails there without a word.
Target amd64-unicode

!ifndef VERSION | VIVERSION | EXE | OUTFILE
  !error "pass -DVERSION=X.Y.Z -DVIVERSION=X.Y.Z.N -DEXE=sockstray.exe -DOUTFILE=setup.exe"
!endif

!define APPNAME "Sockstray"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Sockstray"
!define RUNKEY "Software\Microsoft\Windows\CurrentVersion\Run"
; The Run values the app writes (app/autostart.App, app/sysproxy.LoginCheck).
!define RUN_APP "Sockstray"
!define RUN_PROXYCHECK "Sockstray system proxy check"

Name "${APPNAME}"
OutFile "${OUTFILE}"
SetCompressor /SOLID lzma
ManifestDPIAware true
VIProductVersion "${VIVERSION}"
VIAddVersionKey "ProductName" "${APPNAME}"
VIAddVersionKey "FileDescription" "${APPNAME} installer"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "CompanyName" "The Sockstray developers"

!define MULTIUSER_EXECUTIONLEVEL Highest
!define MULTIUSER_MUI
!define MULTIUSER_INSTALLMODE_COMMANDLINE
!define MULTIUSER_INSTALLMODE_DEFAULT_CURRENTUSER
!define MULTIUSER_INSTALLMODE_INSTDIR "${APPNAME}"
!define MULTIUSER_USE_PROGRAMFILES64
!include MultiUser.nsh
!include MUI2.nsh
!include FileFunc.nsh
!include LogicLib.nsh

!define MUI_ICON "sockstray.ico"
!define MUI_UNICON "sockstray.ico"
!define MUI_FINISHPAGE_RUN "$INSTDIR\sockstray.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Start Sockstray"

!insertmacro MULTIUSER_PAGE_INSTALLMODE
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "SimpChinese"

Section "Sockstray" SecApp
  SectionIn RO
  SetOutPath "$INSTDIR"
  File "/oname=sockstray.exe" "${EXE}"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\${APPNAME}.lnk" "$INSTDIR\sockstray.exe"

  ; Add or remove programs (per user in HKCU, per machine in HKLM).
  WriteRegStr SHCTX "${UNINSTKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr SHCTX "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINSTKEY}" "Publisher" "The Sockstray developers"
  WriteRegStr SHCTX "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\sockstray.exe"
  WriteRegStr SHCTX "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode'
  WriteRegStr SHCTX "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S /$MultiUser.InstallMode'
  WriteRegDWORD SHCTX "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINSTKEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD SHCTX "${UNINSTKEY}" "EstimatedSize" $0
SectionEnd

; The same value the app's Settings switch writes, so the switch shows it.
Section /o "Start Sockstray at login" SecLogin
  WriteRegStr HKCU "${RUNKEY}" "${RUN_APP}" '"$INSTDIR\sockstray.exe"'
SectionEnd

Function .onInit
  !insertmacro MULTIUSER_INIT
  ${GetParameters} $0
  ClearErrors
  ${GetOptions} $0 "/StartAtLogin" $1
  ${IfNot} ${Errors}
    SectionSetFlags ${SecLogin} ${SF_SELECTED}
  ${EndIf}
FunctionEnd

Function un.onInit
  !insertmacro MULTIUSER_UNINIT
FunctionEnd

Section "Uninstall"
  ; If Sockstray died with the system proxy pointing at it, put the user's
  ; settings back before its executable goes.
  ExecWait '"$INSTDIR\sockstray.exe" sysproxy-restore --if-stale'
  DeleteRegValue HKCU "${RUNKEY}" "${RUN_APP}"
  DeleteRegValue HKCU "${RUNKEY}" "${RUN_PROXYCHECK}"
  Delete "$SMPROGRAMS\${APPNAME}.lnk"
  Delete "$INSTDIR\sockstray.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey SHCTX "${UNINSTKEY}"
SectionEnd
