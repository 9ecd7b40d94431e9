# The signaling server as a container: `docker build -t signaling .`, then
# `docker run -p 11311:11311 -e SIGNALING_JWT_SECRET=... signaling` (settings from the environment,
# see README "Configuration"). Installs exactly what requirements/run.txt pins, like `make run`.
FROM python:3.11-slim AS build
WORKDIR /src
COPY requirements/run.txt requirements/run.txt
RUN python -m venv /opt/signaling \
 && /opt/signaling/bin/pip install --no-cache-dir -r requirements/run.txt
COPY pyproject.toml README.md ./
COPY signaling signaling
COPY tickets tickets
RUN /opt/signaling/bin/pip install --no-cache-dir --no-deps .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --create-home --home-dir /var/lib/signaling signaling
COPY --from=build /opt/signaling /opt/signaling
ENV PATH=/opt/signaling/bin:$PATH \
    SIGNALING_HOST=0.0.0.0 \
    SIGNALING_PORT=11311 \
    SIGNALING_DATA_DIR=/var/lib/signaling
USER signaling
WORKDIR /var/lib/signaling
EXPOSE 11311
# 503 while the backend is down or the node drains: the orchestrator stops sending clients.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['SIGNALING_PORT'], timeout=2)"
# SIGTERM drains (SIGNALING_DRAIN_SECONDS, default 10): give it that plus the shutdown timeout.
STOPSIGNAL SIGTERM
ENTRYPOINT ["signaling"]
CMD ["serve"]
