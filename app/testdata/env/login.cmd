REM This proxy requires a username and password, which these variables do not carry:
REM give clients the username "alice"; the password is in the keychain.
set http_proxy=http://127.0.0.1:1081
set https_proxy=http://127.0.0.1:1081
set all_proxy=socks5h://127.0.0.1:1081
set no_proxy=localhost,127.0.0.0/8,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.local
set HTTP_PROXY=http://127.0.0.1:1081
set HTTPS_PROXY=http://127.0.0.1:1081
set ALL_PROXY=socks5h://127.0.0.1:1081
set NO_PROXY=localhost,127.0.0.0/8,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.local
