# This proxy requires a username and password, which these variables do not carry:
# give clients the username "alice"; the password is in the keychain.
set -gx http_proxy 'http://127.0.0.1:1081'
set -gx https_proxy 'http://127.0.0.1:1081'
set -gx all_proxy 'socks5h://127.0.0.1:1081'
set -gx no_proxy 'localhost,127.0.0.0/8,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.local'
set -gx HTTP_PROXY 'http://127.0.0.1:1081'
set -gx HTTPS_PROXY 'http://127.0.0.1:1081'
set -gx ALL_PROXY 'socks5h://127.0.0.1:1081'
set -gx NO_PROXY 'localhost,127.0.0.0/8,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.local'
