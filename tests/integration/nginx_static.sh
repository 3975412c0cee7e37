# nginx_static DIR PORT [DIRECTIVES]: nginx-light (one process, no master) serving DIR/www's
# "hello" index.html on 127.0.0.1:PORT, DIRECTIVES (a proxy's location) added to its server
# block, its state in DIR/ngx; sets NGX_PID and returns once it answers. Sourced by
# test_http.sh, test_http_trace.sh, test_http_capture.sh and bench/http.sh (the same
# server under load).
nginx_static() {
	local dir=$1 port=$2 more=${3:-} i
	mkdir -p "$dir/www" "$dir/ngx"
	echo hello >"$dir/www/index.html"
	cat >"$dir/nginx.conf" <<EOF2
daemon off; master_process off; worker_processes 1;
pid $dir/ngx/nginx.pid; error_log $dir/ngx/error.log;
events { worker_connections 256; }
http { access_log off; server { listen 127.0.0.1:$port; root $dir/www; $more } }
EOF2
	nginx -e "$dir/ngx/error.log" -p "$dir/ngx" -c "$dir/nginx.conf" &
	NGX_PID=$!
	for ((i = 0; i < 500; i++)); do
		curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
		sleep 0.02
	done
	return 1
}
