# Muragat: one image for the API/UI process and for workers.
FROM node:20-bookworm-slim

# The same Debian packages as scripts/setup.mjs (runtime set): converters, validators' helpers,
# malware scanner, fonts covering Kazakh Cyrillic, and CJK fonts (without them LibreOffice draws
# Chinese/Japanese/Korean text as missing glyphs and the rendition loses it: 51519.xlsx).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui \
      ghostscript poppler-utils qpdf clamav libarchive-tools file \
      fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-liberation2 icc-profiles-free \
      ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx vite build --config ui/vite.config.ts --logLevel warn
# The pristine embedded catalog (database/pglite-template.ts): a fresh data folder is a copy of it,
# so no first start pays PGlite's initdb (≈ 830 MB) at run time.
RUN npm run catalog:template

ENV NODE_ENV=production \
    MURAGAT_DATA_DIR=/var/lib/muragat \
    PORT=8080
RUN useradd --system --home /var/lib/muragat muragat && mkdir -p /var/lib/muragat && chown muragat /var/lib/muragat
USER muragat
VOLUME /var/lib/muragat
EXPOSE 8080
ENTRYPOINT ["tini", "--", "node", "bin/muragat.js"]
CMD ["serve"]
