; Installer of the township app for Windows 10/11, built on Linux by
; scripts/dist.sh:
;
;   makensis -INPUTCHARSET UTF8 -DVERSION=... -DDIST=dir-with-the-exes \
;            -DLICENSE_FILE=desktop/theme/FONT-LICENSE -DOUTFILE=.../laoxiao-setup.exe laoxiao.nsi
;
; It installs for the current user only, under the user's profile
; (%LOCALAPPDATA%\Programs\Laoxiao), because township laptops are often
; managed by a county IT office and their staff have no administrator
; password. For the same reason everything it writes to the registry is
; under HKCU.
;
; The data folder is not the installer's business: the app asks for it on
; first run, proposing %USERPROFILE%\laoxiao-data, and remembers the answer.
; The uninstaller leaves that folder alone: it holds the township's records,
; some of them perhaps not yet synced.

; A 64-bit installer for a 64-bit app: it also runs under wine64 alone,
; which is how scripts/wine-check.sh tries it on Linux.
Unicode true
Target amd64-unicode
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel user

!ifndef DIST
  !error "define DIST, the directory holding the built .exe files"
!endif
!ifndef VERSION
  !define VERSION "0.0.0"
!endif
!ifndef OUTFILE
  !define OUTFILE "laoxiao-setup.exe"
!endif
!ifndef LICENSE_FILE
  !error "define LICENSE_FILE, the licence of the font the app embeds"
!endif

!define APPNAME "老小 · 一老一小数据采集"
!define REGKEY "Software\Laoxiao"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Laoxiao"

Name "${APPNAME}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\Laoxiao"
InstallDirRegKey HKCU "${REGKEY}" "InstallDir"
BrandingText "老小 ${VERSION}"

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "WinVer.nsh"

!define MUI_ABORTWARNING
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_TEXT "老小已安装到 $INSTDIR。$\r$\n$\r$\n开始菜单和桌面上的“${APPNAME}”可以打开它。首次打开时请选择数据文件夹，默认是 $PROFILE\laoxiao-data，之后会记住。卸载本软件不会删除数据文件夹。"
!define MUI_FINISHPAGE_RUN "$INSTDIR\laoxiao-desktop.exe"
!define MUI_FINISHPAGE_RUN_TEXT "现在打开老小"
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"

Function .onInit
  ; Go programs need Windows 10 or later, and a township laptop may still
  ; run Windows 7: say so here rather than install a shortcut that fails.
  ; (No 32-bit check: a 64-bit installer does not start on 32-bit Windows.)
  ; /SD IDOK: a silent install (/S) must end, not wait for a click.
  ${IfNot} ${AtLeastWin10}
    MessageBox MB_ICONSTOP "老小需要 Windows 10 或更新的版本。" /SD IDOK
    Abort
  ${EndIf}
FunctionEnd

Section "Install"
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  File "/oname=laoxiao-desktop.exe" "${DIST}/laoxiao-desktop-windows-amd64.exe"
  File "/oname=laoxiao-agent.exe" "${DIST}/agent-windows-amd64.exe"
  File "/oname=FONT-LICENSE.txt" "${LICENSE_FILE}"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${APPNAME}.lnk" "$INSTDIR\laoxiao-desktop.exe"
  CreateShortcut "$DESKTOP\${APPNAME}.lnk" "$INSTDIR\laoxiao-desktop.exe"

  ; Settings > Apps lists per-user programs from HKCU too.
  WriteRegStr HKCU "${REGKEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "Laoxiao"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\laoxiao-desktop.exe"
  WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" "$\"$INSTDIR\uninstall.exe$\""
  WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" "$\"$INSTDIR\uninstall.exe$\" /S"
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINSTKEY}" "EstimatedSize" "$0"
SectionEnd

Section "Uninstall"
  SetShellVarContext current
  Delete "$SMPROGRAMS\${APPNAME}.lnk"
  Delete "$DESKTOP\${APPNAME}.lnk"
  ; File by file, not RMDir /r: the folder may have been chosen by hand
  ; and hold other things.
  Delete "$INSTDIR\laoxiao-desktop.exe"
  Delete "$INSTDIR\laoxiao-agent.exe"
  Delete "$INSTDIR\FONT-LICENSE.txt"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTKEY}"
  DeleteRegKey HKCU "${REGKEY}"
SectionEnd
