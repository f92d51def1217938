# Shared by the profiling aids (instructions.sh, handshake_instructions.sh): free loopback ports,
# the backend nginx every proxy forwards to (`return 200 "ok"`, keep-alive), and one ECDSA P-256
# certificate. Sourced, never run; starts nothing itself.

free_ports() {  # prints N free loopback ports
  /usr/bin/python3 -c '
import socket, sys
s = [socket.socket() for _ in range(int(sys.argv[1]))]
[x.bind(("127.0.0.1", 0)) for x in s]
print(*[x.getsockname()[1] for x in s])' "$1"
}

write_backend_nginx() {  # DIR PORT: DIR/nginx.conf for a backend answering 200 "ok"
  cat >"$1/nginx.conf" <<EOC
worker_processes 1; daemon off; pid $1/nginx.pid; error_log $1/error.log warn;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $1/cb; proxy_temp_path $1/p;
  fastcgi_temp_path $1/f; uwsgi_temp_path $1/u; scgi_temp_path $1/s;
  keepalive_timeout 300s; keepalive_requests 1000000;
  server { listen 127.0.0.1:$2; location / { default_type text/plain; return 200 "ok"; } } }
EOC
}

make_ecdsa_cert() {  # DIR: DIR/cert.pem and DIR/key.pem for bench.test
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
    -subj /CN=bench.test -addext subjectAltName=DNS:bench.test \
    -keyout "$1/key.pem" -out "$1/cert.pem" 2>/dev/null
}
