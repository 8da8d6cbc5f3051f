@echo off
rem The standalone collector (docs\standalone-collector.md): collects like the modular input and
rem sends to Splunk's HTTP Event Collector. Arguments: --config FILE.json, then --once or --check.
rem It runs the app's bundle through the input's launcher, so both find Node the same way.
call "%~dp0defender_o365_activity.cmd" collector %*
exit /b %ERRORLEVEL%
