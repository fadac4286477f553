#!/usr/bin/env node
'use strict';
// Placeholder replaced below once the native build lands.
