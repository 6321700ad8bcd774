set http_proxy=http://127.0.0.1:1080
set https_proxy=http://127.0.0.1:1080
set all_proxy=socks5h://127.0.0.1:1080
set no_proxy=localhost,127.0.0.0/8,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.local
set HTTP_PROXY=http://127.0.0.1:1080
set HTTPS_PROXY=http://127.0.0.1:1080
set ALL_PROXY=socks5h://127.0.0.1:1080
set NO_PROXY=localhost,127.0.0.0/8,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.local
