FROM python:3.11-slim-bookworm
WORKDIR /app
COPY pyproject.toml README.md ./
COPY realtime realtime
COPY switch switch
COPY crm crm
COPY inbox inbox
COPY mediastore mediastore
COPY wfm wfm
COPY cms cms
COPY webagent webagent
RUN pip install --no-cache-dir . && useradd --system --home /var/lib/madoguchi madoguchi \
    && mkdir -p /var/lib/madoguchi && chown madoguchi /var/lib/madoguchi
USER madoguchi
ENV MADOGUCHI_DATA_DIR=/var/lib/madoguchi MADOGUCHI_HOST=0.0.0.0
EXPOSE 8000
CMD ["sh", "-c", "madoguchi migrate && madoguchi serve --host 0.0.0.0 --port 8000"]
