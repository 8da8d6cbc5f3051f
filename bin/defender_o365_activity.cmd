@echo off
rem splunkd runs this on Windows for the defender_o365_activity modular input. It finds Node.js
rem >= 20.18.1 in the order README.md gives ("Node.js on the collecting host") and runs the bundle with the same arguments:
rem   1. %DEFENDER_O365_NODE%  2. <app>\windows_x86_64\bin\node.exe  3. %SPLUNK_HOME%\bin\node.exe
rem   4. node.exe on PATH. If none fits: one ERROR line (splunkd.log) and exit 1.
setlocal EnableExtensions EnableDelayedExpansion
set "BIN_DIR=%~dp0"
set "SCRIPT=%BIN_DIR%app\defender_o365_activity.js"
set "NODE="
set "FOUND="

if defined DEFENDER_O365_NODE call :try "DEFENDER_O365_NODE" "%DEFENDER_O365_NODE%"
if not defined NODE call :try "bundled runtime" "%BIN_DIR%..\windows_x86_64\bin\node.exe"
if not defined NODE if defined SPLUNK_HOME call :try "SPLUNK_HOME" "%SPLUNK_HOME%\bin\node.exe"
set "PATH_HAS_NODE="
if not defined NODE for /f "delims=" %%P in ('where node.exe 2^>nul') do (
  set "PATH_HAS_NODE=1"
  if not defined NODE call :try "PATH" "%%P"
)
if not defined NODE if not defined PATH_HAS_NODE set "FOUND=!FOUND! PATH (no node.exe);"

set "WHAT=the defender_o365_activity modular input"
if "%~1"=="collector" set "WHAT=the standalone collector (defender_o365_collector)"
if not defined NODE (
  echo ERROR No Node.js ^>= 20.18.1 found to run !WHAT!. Found:!FOUND! Fix: install Node.js 20.18.1 or later and set the system environment variable DEFENDER_O365_NODE to its node.exe, then restart Splunk. cause=node_missing 1>&2
  exit /b 1
)
rem --liftoff-only --max-semi-space-size=8: see the .sh launcher (docs/performance.md).
"%NODE%" --liftoff-only --max-semi-space-size=8 "%SCRIPT%" %*
exit /b %ERRORLEVEL%

rem :try <label> <path> sets NODE when <path> reports a version >= 20.18.1.
:try
rem No parenthesised blocks around %~2: a path such as "Program Files (x86)" would end them.
if exist "%~2" goto :try_run
set "FOUND=!FOUND! %~1 %~2 (missing);"
exit /b 0
:try_run
set "VER="
set "CANDIDATE=%~2"
rem !CANDIDATE! expands after the line is parsed (parentheses in the path are harmless), and the
rem doubled quotes survive cmd /c stripping the outer pair when the path has spaces.
for /f "delims=" %%V in ('""!CANDIDATE!" --version 2>nul"') do set "VER=%%V"
set "MAJ=0" & set "MIN=0" & set "PAT=0"
for /f "tokens=1,2,3 delims=v." %%a in ("!VER!") do (
  set "MAJ=%%a"
  set "MIN=%%b"
  set "PAT=%%c"
)
set "OK="
if !MAJ! GTR 20 set "OK=1"
if !MAJ! EQU 20 if !MIN! GTR 18 set "OK=1"
if !MAJ! EQU 20 if !MIN! EQU 18 if !PAT! GEQ 1 set "OK=1"
if not defined OK goto :try_old
set "NODE=%~2"
exit /b 0
:try_old
set "FOUND=!FOUND! %~1 %~2 (!VER!);"
exit /b 0
