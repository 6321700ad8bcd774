# This proxy requires a username and password, which these variables do not carry:
# give clients the username "alice"; the password is in the keychain.
export http_proxy='http://127.0.0.1:1081'
export https_proxy='http://127.0.0.1:1081'
export all_proxy='socks5h://127.0.0.1:1081'
export no_proxy='localhost,127.0.0.0/8,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.local'
export HTTP_PROXY='http://127.0.0.1:1081'
export HTTPS_PROXY='http://127.0.0.1:1081'
export ALL_PROXY='socks5h://127.0.0.1:1081'
export NO_PROXY='localhost,127.0.0.0/8,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.local'
