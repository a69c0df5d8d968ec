<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>Workbench</name>
    <message>
        <source>weights %1</source>
        <translation>Gewichte %1</translation>
    </message>
    <message>
        <source> (normalise, then sum)</source>
        <translation> (normalisieren, dann summieren)</translation>
    </message>
    <message>
        <source>RM v%1</source>
        <translation>BM v%1</translation>
    </message>
    <message>
        <source>Alignment Workbench: multi-objective GRPO with live aspect weights</source>
        <translation>Alignment Workbench: GRPO mit mehreren Zielen und live einstellbaren Aspektgewichten</translation>
    </message>
    <message>
        <source>Save a PNG of the main window to &lt;file&gt; and quit.</source>
        <translation>Ein PNG des Hauptfensters nach &lt;file&gt; speichern und beenden.</translation>
    </message>
    <message>
        <source>Window size as WIDTHxHEIGHT, e.g. 1600x1000.</source>
        <translation>Fenstergröße als BREITExHÖHE, z. B. 1600x1000.</translation>
    </message>
    <message>
        <source>Open the shipped demo (its policy, reward model, prompts and gold judge).</source>
        <translation>Die mitgelieferte Demo öffnen (mit Policy, Belohnungsmodell, Prompts und Gold-Bewerter).</translation>
    </message>
    <message>
        <source>Open (or create) the workspace &lt;file&gt;.</source>
        <translation>Den Arbeitsbereich &lt;file&gt; öffnen (oder anlegen).</translation>
    </message>
    <message>
        <source>Start GRPO for &lt;n&gt; steps at once; with --screenshot, save it when they are done and quit.</source>
        <translation>GRPO sofort für &lt;n&gt; Schritte starten; mit --screenshot das Bild nach dem letzten Schritt speichern und beenden.</translation>
    </message>
    <message>
        <source>On quitting, print the longest stall of the GUI event loop.</source>
        <translation>Beim Beenden die längste Blockade der GUI-Ereignisschleife ausgeben.</translation>
    </message>
    <message>
        <source>Compute threads for this run (0: all cores).</source>
        <translation>Rechen-Threads für diesen Start (0: alle Kerne).</translation>
    </message>
    <message>
        <source>User interface language for this run: en, de or zh_CN (default: the Settings menu, else the system&apos;s).</source>
        <translation>Sprache der Benutzeroberfläche für diesen Start: en, de oder zh_CN (Standard: das Menü Einstellungen, sonst die des Systems).</translation>
    </message>
    <message>
        <source>--size: expected WIDTHxHEIGHT, got &quot;%1&quot;</source>
        <translation>--size: BREITExHÖHE erwartet, erhalten: „%1“</translation>
    </message>
    <message>
        <source>--threads: expected 0 or a positive count</source>
        <translation>--threads: 0 oder eine positive Anzahl erwartet</translation>
    </message>
    <message>
        <source>--train-steps: expected a positive count</source>
        <translation>--train-steps: positive Anzahl erwartet</translation>
    </message>
    <message>
        <source>Alignment Workbench</source>
        <translation>Alignment Workbench</translation>
    </message>
    <message numerus="yes">
        <source>LibTorch %1 · %2 · %n thread(s)</source>
        <translation>
            <numerusform>LibTorch %1 · %2 · %n Thread</numerusform>
            <numerusform>LibTorch %1 · %2 · %n Threads</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 (using cpu, %n thread(s))</source>
        <translation>
            <numerusform>%1 (verwende CPU, %n Thread)</numerusform>
            <numerusform>%1 (verwende CPU, %n Threads)</numerusform>
        </translation>
    </message>
    <message>
        <source>cannot save screenshot: %1</source>
        <translation>Bildschirmfoto kann nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <source>cannot start training</source>
        <translation>Training kann nicht gestartet werden</translation>
    </message>
    <message>
        <source>A workspace (.awb) to open, as --workspace.</source>
        <translation>Ein zu öffnender Arbeitsbereich (.awb), wie --workspace.</translation>
    </message>
    <message>
        <source>name one workspace, not %1</source>
        <translation>nennen Sie einen Arbeitsbereich, nicht %1</translation>
    </message>
</context>
<context>
    <name>awb::LabelEditor</name>
    <message>
        <source>Annotator:</source>
        <translation>Annotator:</translation>
    </message>
    <message>
        <source>your name, stored with every label</source>
        <translation>Ihr Name, wird mit jedem Label gespeichert</translation>
    </message>
    <message>
        <source>Recorded with each label you submit; remembered between sessions</source>
        <translation>Wird mit jedem abgeschickten Label festgehalten und zwischen Sitzungen gemerkt</translation>
    </message>
    <message>
        <source>◀ Previous (P)</source>
        <translation>◀ Zurück (P)</translation>
    </message>
    <message>
        <source>Undo (Ctrl+Z)</source>
        <translation>Rückgängig (Strg+Z)</translation>
    </message>
    <message>
        <source>Restore the labels the last submitted sample had before</source>
        <translation>Die Labels wiederherstellen, die das zuletzt abgeschickte Sample vorher hatte</translation>
    </message>
    <message>
        <source>Submit (Enter)</source>
        <translation>Abschicken (Enter)</translation>
    </message>
    <message>
        <source>Store these labels and move to the next sample</source>
        <translation>Diese Labels speichern und zum nächsten Sample gehen</translation>
    </message>
    <message>
        <source>Next (N) ▶</source>
        <translation>Weiter (N) ▶</translation>
    </message>
    <message>
        <source>Labels stored since the reward model in use was trained</source>
        <translation>Seit dem Training des verwendeten Belohnungsmodells gespeicherte Labels</translation>
    </message>
    <message>
        <source>model %1</source>
        <translation>Modell %1</translation>
    </message>
    <message>
        <source>The reward model&apos;s score for %1</source>
        <translation>Bewertung des Belohnungsmodells für %1</translation>
    </message>
    <message>
        <source>model —</source>
        <translation>Modell —</translation>
    </message>
    <message>
        <source>No sample selected</source>
        <translation>Kein Sample ausgewählt</translation>
    </message>
    <message>
        <source>Sample %1 · step %2 · group %3 · #%4%5</source>
        <translation>Sample %1 · Schritt %2 · Gruppe %3 · #%4%5</translation>
    </message>
    <message>
        <source> · labelled</source>
        <translation> · gelabelt</translation>
    </message>
    <message>
        <source> · unlabelled, pre-filled from the model</source>
        <translation> · nicht gelabelt, vom Modell vorausgefüllt</translation>
    </message>
    <message>
        <source>1 label since reward model v%1</source>
        <translation>1 Label seit Belohnungsmodell v%1</translation>
    </message>
    <message>
        <source>%1 labels since reward model v%2</source>
        <translation>%1 Labels seit Belohnungsmodell v%2</translation>
    </message>
    <message>
        <source>1 label, no reward model trained yet</source>
        <translation>1 Label, noch kein Belohnungsmodell trainiert</translation>
    </message>
    <message>
        <source>%1 labels, no reward model trained yet</source>
        <translation>%1 Labels, noch kein Belohnungsmodell trainiert</translation>
    </message>
    <message>
        <source>Keys: 1–5 five-point scale (1 = min, 3 = middle, 5 = max), 0 = min, H/L nudge ±5 %, J/↓ next aspect, K/↑ previous, Enter submit and go on, N/P next/previous sample, Ctrl+Z undo.</source>
        <translation>Tasten: 1–5 Fünf-Punkte-Skala (1 = Minimum, 3 = Mitte, 5 = Maximum), 0 = Minimum, H/L ±5 % verschieben, J/↓ nächster Aspekt, K/↑ vorheriger, Enter abschicken und weiter, N/P nächstes/vorheriges Sample, Strg+Z rückgängig.</translation>
    </message>
    <message>
        <source>%1, %2 to %3. Keys 1–5 set it on a five-point scale.</source>
        <translation>%1, %2 bis %3. Die Tasten 1–5 setzen den Wert auf einer Fünf-Punkte-Skala.</translation>
    </message>
</context>
<context>
    <name>awb::MainWindow</name>
    <message>
        <source>Alignment Workbench</source>
        <translation>Alignment Workbench</translation>
    </message>
    <message>
        <source>&lt;h2&gt;Alignment Workbench&lt;/h2&gt;&lt;p&gt;Multi-objective GRPO against a multi-aspect reward model.&lt;/p&gt;&lt;p&gt;Open a workspace (Ctrl+O) or the demo (File menu) to start.&lt;/p&gt;</source>
        <translation>&lt;h2&gt;Alignment Workbench&lt;/h2&gt;&lt;p&gt;GRPO mit mehreren Zielen gegen ein Belohnungsmodell mit mehreren Aspekten.&lt;/p&gt;&lt;p&gt;Öffnen Sie zum Start einen Arbeitsbereich (Strg+O) oder die Demo (Menü Datei).&lt;/p&gt;</translation>
    </message>
    <message>
        <source>No workspace open</source>
        <translation>Kein Arbeitsbereich geöffnet</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;New workspace…</source>
        <translation>&amp;Neuer Arbeitsbereich…</translation>
    </message>
    <message>
        <source>&amp;Open workspace…</source>
        <translation>Arbeitsbereich ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>Open the &amp;demo</source>
        <translation>&amp;Demo öffnen</translation>
    </message>
    <message>
        <source>&amp;Import prompts…</source>
        <translation>Prompts &amp;importieren…</translation>
    </message>
    <message>
        <source>Ctrl+I</source>
        <translation>Ctrl+I</translation>
    </message>
    <message>
        <source>Export &amp;samples…</source>
        <translation>&amp;Samples exportieren…</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>Export run &amp;metrics (CSV)…</source>
        <translation>Lauf-&amp;Metriken exportieren (CSV)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>&amp;Einstellungen</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <source>Language of the user interface; a change applies at the next start</source>
        <translation>Sprache der Benutzeroberfläche; eine Änderung gilt ab dem nächsten Start</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About Alignment Workbench</source>
        <translation>Ü&amp;ber Alignment Workbench</translation>
    </message>
    <message>
        <source>About Alignment Workbench</source>
        <translation>Über Alignment Workbench</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>Systemstandard</translation>
    </message>
    <message>
        <source>Applies at the next start</source>
        <translation>Gilt ab dem nächsten Start</translation>
    </message>
    <message>
        <source>Language: %1. Restart Alignment Workbench to apply it.</source>
        <translation>Sprache: %1. Starten Sie Alignment Workbench neu, um sie zu übernehmen.</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Export &amp;labels…</source>
        <translation>&amp;Labels exportieren…</translation>
    </message>
    <message>
        <source>Im&amp;port (merge) labels…</source>
        <translation>Labels im&amp;portieren (zusammenführen)…</translation>
    </message>
    <message>
        <source>Export &amp;trained policy…</source>
        <translation>&amp;Trainierte Policy exportieren…</translation>
    </message>
    <message>
        <source>Export &amp;reward model…</source>
        <translation>Belohnungsmodell &amp;exportieren…</translation>
    </message>
    <message>
        <source>Import re&amp;ward model…</source>
        <translation>Belohnungsmodell imp&amp;ortieren…</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Alignment Workbench %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;GRPO with live aspect weights, a Pareto view of the trade-offs and a relabel-retrain loop for the reward model.&lt;/p&gt;&lt;p&gt;%2&lt;/p&gt;&lt;p&gt;Free software under the GNU General Public License, version 3 or (at your option) any later version; it comes with no warranty.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Alignment Workbench %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;GRPO mit live einstellbaren Aspektgewichten, einer Pareto-Ansicht der Zielkonflikte und einem Kreislauf aus Neu-Labeln und Neu-Trainieren für das Belohnungsmodell.&lt;/p&gt;&lt;p&gt;%2&lt;/p&gt;&lt;p&gt;Freie Software unter der GNU General Public License, Version 3 oder (nach Ihrer Wahl) jeder späteren Version; ohne jede Gewährleistung.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&amp;New reward model from data…</source>
        <translation>Neues &amp;Belohnungsmodell aus Daten…</translation>
    </message>
    <message>
        <source>Sample for la&amp;belling…</source>
        <translation>Stichproben zum &amp;Labeln…</translation>
    </message>
</context>
<context>
    <name>awb::ModelExportDialog</name>
    <message>
        <source>Export trained policy</source>
        <translation>Trainierte Policy exportieren</translation>
    </message>
    <message>
        <source>Export reward model</source>
        <translation>Belohnungsmodell exportieren</translation>
    </message>
    <message>
        <source>&amp;Checkpoint:</source>
        <translation>&amp;Checkpoint:</translation>
    </message>
    <message>
        <source>&amp;Version:</source>
        <translation>&amp;Version:</translation>
    </message>
    <message>
        <source>&amp;Model folder (Hugging Face; LoRA adapters merged in)</source>
        <translation>&amp;Modellordner (Hugging Face; LoRA-Adapter eingerechnet)</translation>
    </message>
    <message>
        <source>LoRA &amp;adapters only (PEFT layout; needs the base model)</source>
        <translation>Nur LoRA-&amp;Adapter (PEFT-Layout; braucht das Basismodell)</translation>
    </message>
    <message>
        <source>Layout:</source>
        <translation>Layout:</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Durchsuchen…</translation>
    </message>
    <message>
        <source>New &amp;folder:</source>
        <translation>Neuer &amp;Ordner:</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>&amp;Exportieren</translation>
    </message>
    <message>
        <source>Folder to create the export in</source>
        <translation>Ordner, in dem der Export angelegt wird</translation>
    </message>
    <message>
        <source>No run of this workspace has a checkpoint yet.</source>
        <translation>Noch kein Lauf dieses Arbeitsbereichs hat einen Checkpoint.</translation>
    </message>
    <message>
        <source>The workspace has no reward model yet.</source>
        <translation>Der Arbeitsbereich hat noch kein Belohnungsmodell.</translation>
    </message>
    <message>
        <source>Name a folder to create.</source>
        <translation>Geben Sie einen neuen Ordner an.</translation>
    </message>
    <message>
        <source>%1 exists and is not an empty folder.</source>
        <translation>%1 existiert und ist kein leerer Ordner.</translation>
    </message>
    <message>
        <source>Writes adapter_config.json, adapter_model.safetensors and the tokenizer; PEFT loads them onto the base model named inside.</source>
        <translation>Schreibt adapter_config.json, adapter_model.safetensors und den Tokenizer; PEFT lädt sie auf das darin genannte Basismodell.</translation>
    </message>
    <message>
        <source>Writes a self-contained copy (LoRA adapters merged in) that File ▸ Import reward model reads back, here or in another workspace.</source>
        <translation>Schreibt eine eigenständige Kopie (LoRA-Adapter eingerechnet), die Datei ▸ Belohnungsmodell importieren hier oder in einem anderen Arbeitsbereich wieder einliest.</translation>
    </message>
    <message>
        <source>float32 (as trained)</source>
        <translation>float32 (wie trainiert)</translation>
    </message>
    <message>
        <source>bfloat16 (half the size)</source>
        <translation>bfloat16 (halbe Größe)</translation>
    </message>
    <message>
        <source>float16 (half the size)</source>
        <translation>float16 (halbe Größe)</translation>
    </message>
    <message>
        <source>Precision of the weights written; adapters are always float32</source>
        <translation>Genauigkeit der geschriebenen Gewichte; Adapter sind immer float32</translation>
    </message>
    <message>
        <source>&amp;Weights:</source>
        <translation>&amp;Gewichte:</translation>
    </message>
    <message>
        <source>uniform, or e.g. safety=1,actionability=0.2</source>
        <translation>gleichmäßig, oder z. B. safety=1,actionability=0.2</translation>
    </message>
    <message>
        <source>A steerable run with conditioning &quot;lora&quot; is written at one vector of aspect weights; export again for another trade-off</source>
        <translation>Ein steuerbarer Lauf mit conditioning &quot;lora&quot; wird bei einem Vektor von Aspektgewichten geschrieben; für einen anderen Kompromiss erneut exportieren</translation>
    </message>
    <message>
        <source>At as&amp;pect weights:</source>
        <translation>Bei As&amp;pektgewichten:</translation>
    </message>
    <message>
        <source>Writes config.json, model.safetensors (%1) and the tokenizer: a folder transformers loads as it is.</source>
        <translation>Schreibt config.json, model.safetensors (%1) und den Tokenizer: ein Ordner, den transformers direkt lädt.</translation>
    </message>
</context>
<context>
    <name>awb::NewRewardModelDialog</name>
    <message>
        <source>New reward model</source>
        <translation>Neues Belohnungsmodell</translation>
    </message>
    <message>
        <source>A Hugging Face model folder (config.json, safetensors, tokenizer.json): the backbone</source>
        <translation>Ein Hugging-Face-Modellordner (config.json, safetensors, tokenizer.json): das Grundmodell</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Durchsuchen…</translation>
    </message>
    <message>
        <source>&amp;Base model:</source>
        <translation>&amp;Basismodell:</translation>
    </message>
    <message>
        <source>JSONL or CSV (optionally .gz): per-aspect scores (labels, flat columns, HelpSteer2) or preference pairs ({prompt, chosen, rejected}, HH-RLHF), shown as FILE:ASPECT</source>
        <translation>JSONL oder CSV (auch .gz): Bewertungen je Aspekt (labels, flache Spalten, HelpSteer2) oder Präferenzpaare ({prompt, chosen, rejected}, HH-RLHF), angezeigt als DATEI:ASPEKT</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>&amp;Hinzufügen…</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>&amp;Data files:</source>
        <translation>Daten&amp;dateien:</translation>
    </message>
    <message>
        <source>Also this workspace&apos;s &amp;human labels</source>
        <translation>Auch die &amp;menschlichen Labels dieses Arbeitsbereichs</translation>
    </message>
    <message>
        <source>as found in the data</source>
        <translation>wie in den Daten gefunden</translation>
    </message>
    <message>
        <source>NAME[:MIN:MAX],… — the aspects the model scores and their ranges</source>
        <translation>NAME[:MIN:MAX],… – die Aspekte, die das Modell bewertet, und ihre Bereiche</translation>
    </message>
    <message>
        <source>As&amp;pects:</source>
        <translation>As&amp;pekte:</translation>
    </message>
    <message>
        <source>&amp;LoRA adapters on the base (else every weight trains)</source>
        <translation>&amp;LoRA-Adapter auf dem Basismodell (sonst werden alle Gewichte trainiert)</translation>
    </message>
    <message>
        <source>Training:</source>
        <translation>Training:</translation>
    </message>
    <message>
        <source>&amp;Epochs (at most):</source>
        <translation>&amp;Epochen (höchstens):</translation>
    </message>
    <message>
        <source>&amp;Train</source>
        <translation>&amp;Trainieren</translation>
    </message>
    <message>
        <source>Base model folder</source>
        <translation>Ordner des Basismodells</translation>
    </message>
    <message>
        <source>Reward-model data</source>
        <translation>Daten für das Belohnungsmodell</translation>
    </message>
    <message>
        <source>Data files (*.jsonl *.jsonl.gz *.json *.csv *.csv.gz *.gz);;All files (*)</source>
        <translation>Datendateien (*.jsonl *.jsonl.gz *.json *.csv *.csv.gz *.gz);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Preference pairs</source>
        <translation>Präferenzpaare</translation>
    </message>
    <message>
        <source>%1 holds preference pairs. Which aspect do they supervise?</source>
        <translation>%1 enthält Präferenzpaare. Welchen Aspekt trainieren sie?</translation>
    </message>
    <message>
        <source>Choose a base model folder.</source>
        <translation>Wählen Sie einen Ordner für das Basismodell.</translation>
    </message>
    <message>
        <source>%1 has no tokenizer.json.</source>
        <translation>%1 hat keine tokenizer.json.</translation>
    </message>
    <message>
        <source>Add a data file, or use this workspace&apos;s labels.</source>
        <translation>Fügen Sie eine Datendatei hinzu oder verwenden Sie die Labels dieses Arbeitsbereichs.</translation>
    </message>
    <message>
        <source>%1: %2, %3 records</source>
        <translation>%1: %2, %3 Datensätze</translation>
    </message>
    <message>
        <source>Heads on the one backbone, each trained on its own bootstrap resample of the data: 2 or more give every score a spread, the model&apos;s uncertainty</source>
        <translation>Köpfe auf dem einen Backbone, jeder auf seiner eigenen Bootstrap-Stichprobe der Daten trainiert: ab 2 bekommt jede Bewertung eine Streuung, die Unsicherheit des Modells</translation>
    </message>
    <message>
        <source>Ensemble &amp;heads:</source>
        <translation>Ensemble-&amp;Köpfe:</translation>
    </message>
</context>
<context>
    <name>awb::OptionsForm</name>
    <message>
        <source>Inputs</source>
        <translation>Eingaben</translation>
    </message>
    <message>
        <source>Step &amp; sampling</source>
        <translation>Schritt &amp; Sampling</translation>
    </message>
    <message>
        <source>Objective</source>
        <translation>Zielfunktion</translation>
    </message>
    <message>
        <source>Optimiser</source>
        <translation>Optimierer</translation>
    </message>
    <message>
        <source>LoRA</source>
        <translation>LoRA</translation>
    </message>
    <message>
        <source>Bookkeeping</source>
        <translation>Protokollierung</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Sonstiges</translation>
    </message>
    <message>
        <source>Filter options (Ctrl+F)</source>
        <translation>Optionen filtern (Strg+F)</translation>
    </message>
    <message>
        <source>Show only the options whose name or description contains this text (Ctrl+F)</source>
        <translation>Nur die Optionen zeigen, deren Name oder Beschreibung diesen Text enthält (Strg+F)</translation>
    </message>
    <message>
        <source>Options that differ from their defaults (shown in bold)</source>
        <translation>Optionen, die von ihrem Standardwert abweichen (fett dargestellt)</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Zurücksetzen</translation>
    </message>
    <message>
        <source>Reset every option to its default</source>
        <translation>Alle Optionen auf ihren Standardwert zurücksetzen</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Show or hide this group</source>
        <translation>Diese Gruppe ein- oder ausblenden</translation>
    </message>
    <message>
        <source>defaults</source>
        <translation>Standardwerte</translation>
    </message>
    <message numerus="yes">
        <source>%n changed</source>
        <translation>
            <numerusform>%n geändert</numerusform>
            <numerusform>%n geändert</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; is not a number</source>
        <translation>%1: „%2“ ist keine Zahl</translation>
    </message>
    <message>
        <source>on</source>
        <translation>an</translation>
    </message>
    <message>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <source>(empty)</source>
        <translation>(leer)</translation>
    </message>
    <message>
        <source>Choose a file for %1</source>
        <translation>Datei für %1 wählen</translation>
    </message>
    <message>
        <source>Choose a folder for %1</source>
        <translation>Ordner für %1 wählen</translation>
    </message>
    <message>
        <source>%1
Not a number: use e.g. 0.2 or 5e-05</source>
        <translation>%1
Keine Zahl: z. B. 0.2 oder 5e-05 verwenden</translation>
    </message>
    <message>
        <source>%1
Default: %2</source>
        <translation>%1
Standard: %2</translation>
    </message>
</context>
<context>
    <name>awb::ParetoView</name>
    <message>
        <source>Aspect on the horizontal axis (Alt+X)</source>
        <translation>Aspekt auf der waagerechten Achse (Alt+X)</translation>
    </message>
    <message>
        <source>Aspect on the vertical axis (Alt+Y)</source>
        <translation>Aspekt auf der senkrechten Achse (Alt+Y)</translation>
    </message>
    <message>
        <source>&amp;X axis:</source>
        <translation>&amp;X-Achse:</translation>
    </message>
    <message>
        <source>&amp;Y axis:</source>
        <translation>&amp;Y-Achse:</translation>
    </message>
    <message>
        <source>Swap</source>
        <translation>Tauschen</translation>
    </message>
    <message>
        <source>Swap the X and Y aspects (Ctrl+Shift+X)</source>
        <translation>X- und Y-Aspekt vertauschen (Strg+Umschalt+X)</translation>
    </message>
    <message>
        <source>Reward model</source>
        <translation>Belohnungsmodell</translation>
    </message>
    <message>
        <source>Gold judge</source>
        <translation>Gold-Bewerter</translation>
    </message>
    <message>
        <source>Place the points by the reward model&apos;s scores (what training optimises) or by the gold judge&apos;s (the ground truth)</source>
        <translation>Die Punkte nach den Bewertungen des Belohnungsmodells (was das Training optimiert) oder des Gold-Bewerters (die Grundwahrheit) platzieren</translation>
    </message>
    <message>
        <source>&amp;Values:</source>
        <translation>&amp;Werte:</translation>
    </message>
    <message>
        <source>Area dominated by the non-dominated samples and bounded below by the reference point (both aspects maximised). Right-click the plot to move the reference point.</source>
        <translation>Fläche, die von den nicht dominierten Samples dominiert und nach unten durch den Referenzpunkt begrenzt wird (beide Aspekte werden maximiert). Rechtsklick in das Diagramm verschiebt den Referenzpunkt.</translation>
    </message>
    <message>
        <source>No aspects to plot.</source>
        <translation>Keine Aspekte zum Darstellen.</translation>
    </message>
    <message>
        <source>reference (%1 %2, %3 %4)%5</source>
        <translation>Referenz (%1 %2, %3 %4)%5</translation>
    </message>
    <message>
        <source>, set by hand</source>
        <translation>, von Hand gesetzt</translation>
    </message>
    <message>
        <source>Hypervolume: no samples shown. Click a point of the trajectory to load that step&apos;s samples. %1</source>
        <translation>Hypervolumen: keine Samples angezeigt. Klicken Sie auf einen Punkt des Verlaufs, um die Samples dieses Schritts zu laden. %1</translation>
    </message>
    <message>
        <source>Hypervolume of step %1&apos;s front: &lt;b&gt;%2&lt;/b&gt; &amp;nbsp;·&amp;nbsp; %3 of %4 samples non-dominated &amp;nbsp;·&amp;nbsp; %5</source>
        <translation>Hypervolumen der Front von Schritt %1: &lt;b&gt;%2&lt;/b&gt; &amp;nbsp;·&amp;nbsp; %3 von %4 Samples nicht dominiert &amp;nbsp;·&amp;nbsp; %5</translation>
    </message>
    <message>
        <source>Sample #%1 · step %2 · prompt %3, completion %4%5
%6 %7 · %8 %9 · reward %10
Click to open the sample.</source>
        <translation>Sample #%1 · Schritt %2 · Prompt %3, Antwort %4%5
%6 %7 · %8 %9 · Belohnung %10
Klicken öffnet das Sample.</translation>
    </message>
    <message>
        <source> · on the front</source>
        <translation> · auf der Front</translation>
    </message>
    <message>
        <source>Step %1 means · %2 %3 · %4 %5 · reward %6
Click to show this step&apos;s samples.</source>
        <translation>Mittelwerte von Schritt %1 · %2 %3 · %4 %5 · Belohnung %6
Klicken zeigt die Samples dieses Schritts.</translation>
    </message>
    <message>
        <source>Set hypervolume reference here (%1, %2)</source>
        <translation>Hypervolumen-Referenz hierher setzen (%1, %2)</translation>
    </message>
    <message>
        <source>Reset reference to the aspect minimums</source>
        <translation>Referenz auf die Minima der Aspekte zurücksetzen</translation>
    </message>
    <message>
        <source>Show legend</source>
        <translation>Legende anzeigen</translation>
    </message>
    <message>
        <source>Reset zoom (double-click)</source>
        <translation>Zoom zurücksetzen (Doppelklick)</translation>
    </message>
    <message>
        <source>gold judge</source>
        <translation>Gold-Bewerter</translation>
    </message>
    <message>
        <source>reward model</source>
        <translation>Belohnungsmodell</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Samples, step %1 (%2)</source>
        <translation>Samples, Schritt %1 (%2)</translation>
    </message>
    <message>
        <source>step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>step %1 → %2</source>
        <translation>Schritt %1 → %2</translation>
    </message>
    <message>
        <source>Front staircase</source>
        <translation>Treppenlinie der Front</translation>
    </message>
    <message>
        <source>Mean of step %1</source>
        <translation>Mittelwert von Schritt %1</translation>
    </message>
    <message>
        <source>Front (%1 points)</source>
        <translation>Front (%1 Punkte)</translation>
    </message>
    <message>
        <source>Reference point</source>
        <translation>Referenzpunkt</translation>
    </message>
    <message>
        <source>Dominated area</source>
        <translation>Dominierte Fläche</translation>
    </message>
    <message>
        <source>Step means (old → new)</source>
        <translation>Schrittmittel (alt → neu)</translation>
    </message>
    <message>
        <source>Exp&amp;ort</source>
        <translation>Exp&amp;ortieren</translation>
    </message>
    <message>
        <source>Save the plot (PNG, SVG, PDF) or the plotted points with their run and step (CSV)</source>
        <translation>Das Diagramm (PNG, SVG, PDF) oder die gezeichneten Punkte mit Lauf und Schritt (CSV) speichern</translation>
    </message>
    <message>
        <source>Export Pareto plot</source>
        <translation>Pareto-Diagramm exportieren</translation>
    </message>
    <message>
        <source>Export plotted points as &amp;CSV…</source>
        <translation>Gezeichnete Punkte als &amp;CSV exportieren…</translation>
    </message>
    <message>
        <source>Pareto plot</source>
        <translation>Pareto-Diagramm</translation>
    </message>
    <message>
        <source>Pareto plot: %1 against %2</source>
        <translation>Pareto-Diagramm: %1 gegen %2</translation>
    </message>
    <message>
        <source>Swept front of %1: hypervolume &lt;b&gt;%2&lt;/b&gt; (%3 weight vectors)</source>
        <translation>Überstrichene Front von %1: Hypervolumen &lt;b&gt;%2&lt;/b&gt; (%3 Gewichtsvektoren)</translation>
    </message>
    <message>
        <source> &amp;nbsp;·&amp;nbsp; %1 fixed-weight runs: &lt;b&gt;%2&lt;/b&gt;</source>
        <translation> &amp;nbsp;·&amp;nbsp; %1 Läufe mit festen Gewichten: &lt;b&gt;%2&lt;/b&gt;</translation>
    </message>
    <message>
        <source>A swept front is measured on other axes or values; choose those to see it.</source>
        <translation>Eine überstrichene Front ist auf anderen Achsen oder Werten gemessen; wählen Sie diese, um sie zu sehen.</translation>
    </message>
    <message>
        <source>S&amp;weep front</source>
        <translation>Front ü&amp;berstreichen</translation>
    </message>
    <message>
        <source>Generate from the shown run&apos;s newest checkpoint at weight vectors spread between the two aspects on the axes (a steerable run), on its held-out prompts; the workspace&apos;s fixed-weight runs become single points</source>
        <translation>Aus dem neuesten Checkpoint des gezeigten Laufs bei Gewichtsvektoren zwischen den beiden Aspekten der Achsen generieren (ein steuerbarer Lauf), auf seinen zurückgehaltenen Prompts; die Läufe mit festen Gewichten des Arbeitsbereichs werden einzelne Punkte</translation>
    </message>
    <message>
        <source>On the held-out prompts</source>
        <translation>Auf den zurückgehaltenen Prompts</translation>
    </message>
    <message>
        <source>On the adversarial held-out prompts (demo)</source>
        <translation>Auf den adversarialen zurückgehaltenen Prompts (Demo)</translation>
    </message>
    <message>
        <source>Clear the swept front</source>
        <translation>Überstrichene Front entfernen</translation>
    </message>
    <message>
        <source>Swept front of %1 (HV %2)</source>
        <translation>Überstrichene Front von %1 (HV %2)</translation>
    </message>
    <message>
        <source>Fixed-weight runs (HV %1)</source>
        <translation>Läufe mit festen Gewichten (HV %1)</translation>
    </message>
</context>
<context>
    <name>awb::PlaygroundPanel</name>
    <message>
        <source>&amp;Checkpoint:</source>
        <translation>&amp;Checkpoint:</translation>
    </message>
    <message>
        <source>&amp;Prompt:</source>
        <translation>&amp;Prompt:</translation>
    </message>
    <message>
        <source>Type a prompt, then Ctrl+Return</source>
        <translation>Prompt eingeben, dann Ctrl+Return</translation>
    </message>
    <message>
        <source>Compare with &amp;B</source>
        <translation>Mit &amp;B vergleichen</translation>
    </message>
    <message>
        <source>&amp;Samples:</source>
        <translation>&amp;Stichproben:</translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation>&amp;Generieren</translation>
    </message>
    <message>
        <source>Generate (Ctrl+Return)</source>
        <translation>Generieren (Ctrl+Return)</translation>
    </message>
    <message>
        <source>A</source>
        <translation>A</translation>
    </message>
    <message>
        <source>B</source>
        <translation>B</translation>
    </message>
    <message>
        <source>No checkpoint yet: train a run (a steerable one has conditioning &quot;lora&quot; or &quot;prompt&quot;).</source>
        <translation>Noch kein Checkpoint: trainieren Sie einen Lauf (ein steuerbarer hat conditioning &quot;lora&quot; oder &quot;prompt&quot;).</translation>
    </message>
    <message>
        <source>Steerable: the policy answers for the weights below.</source>
        <translation>Steuerbar: die Policy antwortet für die Gewichte unten.</translation>
    </message>
    <message>
        <source>Not steerable: this run answers at the weights it trained with (%1).</source>
        <translation>Nicht steuerbar: dieser Lauf antwortet mit den Gewichten, mit denen er trainiert wurde (%1).</translation>
    </message>
    <message>
        <source>Type a prompt first.</source>
        <translation>Geben Sie zuerst einen Prompt ein.</translation>
    </message>
    <message>
        <source>Weights: %1</source>
        <translation>Gewichte: %1</translation>
    </message>
    <message>
        <source>gold</source>
        <translation>Gold</translation>
    </message>
</context>
<context>
    <name>awb::PlotExport</name>
    <message>
        <source>Could not write %1: %2</source>
        <translation>%1 konnte nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>%1, exported from Alignment Workbench</source>
        <translation>%1, exportiert aus Alignment Workbench</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
    <message>
        <source>SVG images (*.svg)</source>
        <translation>SVG-Bilder (*.svg)</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>PDF-Dokumente (*.pdf)</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
    <message>
        <source>Could not write %1: &quot;%2&quot; is not an image kind (png, svg or pdf)</source>
        <translation>%1 konnte nicht geschrieben werden: „%2“ ist keine Bildart (png, svg oder pdf)</translation>
    </message>
    <message>
        <source>the plot could not be drawn</source>
        <translation>das Diagramm konnte nicht gezeichnet werden</translation>
    </message>
    <message>
        <source>Export as &amp;PNG image…</source>
        <translation>Als &amp;PNG-Bild exportieren…</translation>
    </message>
    <message>
        <source>Export as S&amp;VG…</source>
        <translation>Als S&amp;VG exportieren…</translation>
    </message>
    <message>
        <source>Export as P&amp;DF…</source>
        <translation>Als P&amp;DF exportieren…</translation>
    </message>
</context>
<context>
    <name>awb::RewardCurvesView</name>
    <message>
        <source>combined reward</source>
        <translation>kombinierte Belohnung</translation>
    </message>
    <message>
        <source>step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>KL</source>
        <translation>KL</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>Verlust</translation>
    </message>
    <message>
        <source>gold %1</source>
        <translation>Gold %1</translation>
    </message>
    <message>
        <source>gold objective</source>
        <translation>Gold-Ziel</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1, step %2&lt;/b&gt;</source>
        <translation>&lt;b&gt;%1, Schritt %2&lt;/b&gt;</translation>
    </message>
    <message>
        <source> (gold %1)</source>
        <translation> (Gold %1)</translation>
    </message>
    <message>
        <source>combined reward: %1</source>
        <translation>kombinierte Belohnung: %1</translation>
    </message>
    <message>
        <source>gold objective: %1</source>
        <translation>Gold-Ziel: %1</translation>
    </message>
    <message>
        <source>KL: %1 · loss: %2</source>
        <translation>KL: %1 · Verlust: %2</translation>
    </message>
    <message>
        <source>&lt;i&gt;%1&lt;/i&gt;</source>
        <translation>&lt;i&gt;%1&lt;/i&gt;</translation>
    </message>
    <message>
        <source>&amp;Smoothing</source>
        <translation>&amp;Glättung</translation>
    </message>
    <message>
        <source>Exponential moving average weight (as in TensorBoard), 0 = raw values. Exports always write raw values.</source>
        <translation>Gewicht des exponentiell gleitenden Mittelwerts (wie in TensorBoard), 0 = Rohwerte. Exporte schreiben immer Rohwerte.</translation>
    </message>
    <message>
        <source>Draw the unsmoothed values faintly behind the smoothed curves</source>
        <translation>Die ungeglätteten Werte blass hinter den geglätteten Kurven zeichnen</translation>
    </message>
    <message>
        <source>&amp;Reset view</source>
        <translation>Ansicht &amp;zurücksetzen</translation>
    </message>
    <message>
        <source>Export raw values as &amp;CSV…</source>
        <translation>Rohwerte als &amp;CSV exportieren…</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>&amp;Exportieren</translation>
    </message>
    <message>
        <source>run %1</source>
        <translation>Lauf %1</translation>
    </message>
    <message>
        <source>Reward curves</source>
        <translation>Belohnungskurven</translation>
    </message>
    <message>
        <source>Export reward curves</source>
        <translation>Belohnungskurven exportieren</translation>
    </message>
    <message>
        <source>Ra&amp;w</source>
        <translation>&amp;Roh</translation>
    </message>
    <message>
        <source>score (gold dashed)</source>
        <translation>Bewertung (Gold gestrichelt)</translation>
    </message>
    <message>
        <source>Show all steps and fit the value axes (R).
Mouse wheel zooms the step axis, dragging pans it.
Click a legend entry to hide or show its curve.
Hover for the values of the newest run; double click opens that step.</source>
        <translation>Alle Schritte zeigen und die Werteachsen anpassen (R).
Das Mausrad zoomt die Schrittachse, Ziehen verschiebt sie.
Ein Klick auf einen Legendeneintrag blendet seine Kurve aus oder ein.
Überfahren zeigt die Werte des neuesten Laufs; Doppelklick öffnet diesen Schritt.</translation>
    </message>
    <message>
        <source>Save the plot (PNG, SVG, PDF) or the raw values of every run (CSV)</source>
        <translation>Das Diagramm (PNG, SVG, PDF) oder die Rohwerte aller Läufe (CSV) speichern</translation>
    </message>
    <message>
        <source>wall-clock seconds</source>
        <translation>Sekunden (Uhrzeit)</translation>
    </message>
    <message>
        <source>tokens generated</source>
        <translation>erzeugte Tokens</translation>
    </message>
    <message>
        <source>&amp;x axis</source>
        <translation>&amp;x-Achse</translation>
    </message>
    <message>
        <source>wall-clock s</source>
        <translation>Sekunden</translation>
    </message>
    <message>
        <source>tokens</source>
        <translation>Tokens</translation>
    </message>
    <message>
        <source>value loss</source>
        <translation>Verlust der Wertfunktion</translation>
    </message>
    <message>
        <source>reward margin</source>
        <translation>Belohnungsabstand</translation>
    </message>
    <message>
        <source>preference accuracy</source>
        <translation>Präferenzgenauigkeit</translation>
    </message>
    <message>
        <source>√KL from the reference (per completion)</source>
        <translation>√KL zur Referenz (je Antwort)</translation>
    </message>
    <message>
        <source>%1: gold peaks, proxy still rising</source>
        <translation>%1: Gold am Gipfel, Proxy steigt noch</translation>
    </message>
    <message>
        <source>labels %1</source>
        <translation>Labels %1</translation>
    </message>
    <message>
        <source>√KL</source>
        <translation>√KL</translation>
    </message>
    <message>
        <source>Plot against the step, the run&apos;s wall-clock seconds or its generated tokens, so that runs of different algorithms compare fairly; or against √KL from the reference, where over-optimisation shows as gold falling while the proxy rises</source>
        <translation>Gegen den Schritt, die verstrichenen Sekunden des Laufs oder seine erzeugten Tokens auftragen, damit Läufe verschiedener Algorithmen fair vergleichbar sind; oder gegen √KL zur Referenz, wo sich Überoptimierung als fallendes Gold bei steigendem Proxy zeigt</translation>
    </message>
    <message>
        <source>Export &amp;over-optimisation points as CSV…</source>
        <translation>Über&amp;optimierungspunkte als CSV exportieren…</translation>
    </message>
    <message>
        <source>lambda %1</source>
        <translation>Lambda %1</translation>
    </message>
    <message>
        <source>%1 violation rate</source>
        <translation>Verletzungsrate %1</translation>
    </message>
    <message>
        <source>%1 (%2-heavy groups)</source>
        <translation>%1 (Gruppen mit Schwerpunkt %2)</translation>
    </message>
    <message>
        <source>lambda</source>
        <translation>Lambda</translation>
    </message>
    <message>
        <source>accuracy</source>
        <translation>Genauigkeit</translation>
    </message>
    <message>
        <source>violation rate</source>
        <translation>Verletzungsrate</translation>
    </message>
    <message>
        <source>&amp;Groups</source>
        <translation>&amp;Gruppen</translation>
    </message>
    <message>
        <source>A steerable run&apos;s aspect curves over all its groups, or only over the groups whose largest weight was one aspect: the curves split by weight region</source>
        <translation>Die Aspektkurven eines steuerbaren Laufs über alle seine Gruppen oder nur über die Gruppen, deren größtes Gewicht ein Aspekt war: die Kurven nach Gewichtsregion getrennt</translation>
    </message>
    <message>
        <source>all</source>
        <translation>alle</translation>
    </message>
    <message>
        <source>%1-heavy</source>
        <translation>Schwerpunkt %1</translation>
    </message>
</context>
<context>
    <name>awb::RewardModelController</name>
    <message>
        <source>Retraining cancelled; nothing was saved.</source>
        <translation>Neutraining abgebrochen; nichts wurde gespeichert.</translation>
    </message>
    <message>
        <source>Reward model v%1 trained on %2 labelled samples (+%3 replayed). Validation RMSE/Pearson: %4</source>
        <translation>Belohnungsmodell v%1 auf %2 gelabelten Samples trainiert (+%3 wiederverwendet). Validierung RMSE/Pearson: %4</translation>
    </message>
    <message>
        <source>Reward model v%1 imported from %2 (%3 aspects, trained on %4 labels)</source>
        <translation>Belohnungsmodell v%1 aus %2 importiert (%3 Aspekte, trainiert auf %4 Labels)</translation>
    </message>
    <message>
        <source>No reward model was imported: %1</source>
        <translation>Es wurde kein Belohnungsmodell importiert: %1</translation>
    </message>
    <message>
        <source>Training cancelled; nothing was saved.</source>
        <translation>Training abgebrochen; nichts wurde gespeichert.</translation>
    </message>
    <message>
        <source>%1 pairwise accuracy %2</source>
        <translation>%1 paarweise Genauigkeit %2</translation>
    </message>
    <message>
        <source>%1 RMSE %2</source>
        <translation>%1 RMSE %2</translation>
    </message>
    <message>
        <source>Reward model v%1 trained on %2 scored examples and %3 preference pairs. Validation: %4</source>
        <translation>Belohnungsmodell v%1 auf %2 bewerteten Beispielen und %3 Präferenzpaaren trainiert. Validierung: %4</translation>
    </message>
    <message>
        <source>No reward model was trained: %1</source>
        <translation>Es wurde kein Belohnungsmodell trainiert: %1</translation>
    </message>
    <message>
        <source>Sampling stopped: %1 samples kept in run %2</source>
        <translation>Stichprobenziehung angehalten: %1 Stichproben in Lauf %2 behalten</translation>
    </message>
    <message>
        <source>%1 samples of %2 prompts ready for labelling (run %3)</source>
        <translation>%1 Stichproben zu %2 Prompts bereit zum Labeln (Lauf %3)</translation>
    </message>
    <message>
        <source>Sampling for labelling failed: %1</source>
        <translation>Stichproben zum Labeln fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source> It shares the running policy&apos;s base weights.</source>
        <translation> Es teilt die Basisgewichte der laufenden Policy.</translation>
    </message>
</context>
<context>
    <name>awb::RewardModelPanel</name>
    <message>
        <source>Human labels</source>
        <translation>Menschliche Labels</translation>
    </message>
    <message>
        <source>Aspect</source>
        <translation>Aspekt</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>Labels</translation>
    </message>
    <message>
        <source>Labelled completions per aspect (latest label per sample and aspect)</source>
        <translation>Gelabelte Antworten je Aspekt (neuestes Label je Sample und Aspekt)</translation>
    </message>
    <message>
        <source>Labels added since the reward-model version in use was trained</source>
        <translation>Seit dem Training der verwendeten Belohnungsmodell-Version hinzugekommene Labels</translation>
    </message>
    <message>
        <source>Auto-retrain e&amp;very</source>
        <translation>Automatisch neu trainieren &amp;alle</translation>
    </message>
    <message>
        <source> new labels</source>
        <translation> neuen Labels</translation>
    </message>
    <message>
        <source>Auto-retrain threshold</source>
        <translation>Schwelle für automatisches Neutraining</translation>
    </message>
    <message>
        <source>Start a reward-model training by itself once this many labels have been added since the version in use (not while one is training)</source>
        <translation>Ein Training des Belohnungsmodells selbsttätig starten, sobald seit der verwendeten Version so viele Labels hinzugekommen sind (nicht während eines laufenden Trainings)</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>Re&amp;train</source>
        <translation>&amp;Neu trainieren</translation>
    </message>
    <message>
        <source>Train a new reward-model version on all labels so far. GRPO picks it up at the next step once it is published.</source>
        <translation>Eine neue Version des Belohnungsmodells auf allen bisherigen Labels trainieren. GRPO übernimmt sie beim nächsten Schritt, sobald sie veröffentlicht ist.</translation>
    </message>
    <message>
        <source>Cance&amp;l</source>
        <translation>Abbre&amp;chen</translation>
    </message>
    <message>
        <source>Stop the reward-model training; the version in use stays</source>
        <translation>Das Training des Belohnungsmodells beenden; die verwendete Version bleibt</translation>
    </message>
    <message>
        <source>Idle</source>
        <translation>Untätig</translation>
    </message>
    <message>
        <source>Mean squared error per epoch on the training labels and on the held-out labels</source>
        <translation>Mittlerer quadratischer Fehler je Epoche auf den Trainings-Labels und auf den zurückgehaltenen Labels</translation>
    </message>
    <message>
        <source>train</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>validation</source>
        <translation>Validierung</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>Epoche</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>Verlust</translation>
    </message>
    <message>
        <source>Versions</source>
        <translation>Versionen</translation>
    </message>
    <message>
        <source>Published reward-model versions, newest first, with RMSE, Pearson r and Spearman ρ per aspect on held-out labels</source>
        <translation>Veröffentlichte Versionen des Belohnungsmodells, neueste zuerst, mit RMSE, Pearson-r und Spearman-ρ je Aspekt auf zurückgehaltenen Labels</translation>
    </message>
    <message>
        <source>v%1</source>
        <translation>v%1</translation>
    </message>
    <message>
        <source>no version yet</source>
        <translation>noch keine Version</translation>
    </message>
    <message>
        <source>1 new label since the version in use (%1)</source>
        <translation>1 neues Label seit der verwendeten Version (%1)</translation>
    </message>
    <message>
        <source>%1 new labels since the version in use (%2)</source>
        <translation>%1 neue Labels seit der verwendeten Version (%2)</translation>
    </message>
    <message>
        <source>RMSE</source>
        <translation>RMSE</translation>
    </message>
    <message>
        <source>r</source>
        <translation>r</translation>
    </message>
    <message>
        <source>ρ</source>
        <translation>ρ</translation>
    </message>
    <message>
        <source>root mean squared error (lower is better)</source>
        <translation>Wurzel des mittleren quadratischen Fehlers (kleiner ist besser)</translation>
    </message>
    <message>
        <source>Pearson correlation with the labels</source>
        <translation>Pearson-Korrelation mit den Labels</translation>
    </message>
    <message>
        <source>Spearman rank correlation with the labels</source>
        <translation>Spearman-Rangkorrelation mit den Labels</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>Reward-model version</source>
        <translation>Version des Belohnungsmodells</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <source>When the version was published</source>
        <translation>Wann die Version veröffentlicht wurde</translation>
    </message>
    <message>
        <source>Labels it was trained on</source>
        <translation>Labels, auf denen sie trainiert wurde</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Notiz</translation>
    </message>
    <message>
        <source>Note stored with the version</source>
        <translation>Mit der Version gespeicherte Notiz</translation>
    </message>
    <message>
        <source>v%1 (in use)</source>
        <translation>v%1 (in Verwendung)</translation>
    </message>
    <message>
        <source>Epoch %v of %m</source>
        <translation>Epoche %v von %m</translation>
    </message>
    <message>
        <source>Training…</source>
        <translation>Training läuft…</translation>
    </message>
    <message>
        <source>Epoch %1 of %2: train loss %3</source>
        <translation>Epoche %1 von %2: Trainingsverlust %3</translation>
    </message>
    <message>
        <source>, validation loss %1</source>
        <translation>, Validierungsverlust %1</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <source>Stopped at epoch %v of %m</source>
        <translation>Bei Epoche %v von %m angehalten</translation>
    </message>
    <message>
        <source>Training finished.</source>
        <translation>Training abgeschlossen.</translation>
    </message>
    <message>
        <source>Training failed.</source>
        <translation>Training fehlgeschlagen.</translation>
    </message>
    <message>
        <source>&amp;New…</source>
        <translation>&amp;Neu…</translation>
    </message>
    <message>
        <source>Train a new reward model from data files (per-aspect scores, preference pairs) on a base model folder, or from this workspace&apos;s labels</source>
        <translation>Ein neues Belohnungsmodell aus Datendateien (Bewertungen je Aspekt, Präferenzpaare) auf einem Basismodell trainieren, oder aus den Labels dieses Arbeitsbereichs</translation>
    </message>
    <message>
        <source>acc</source>
        <translation>Gen.</translation>
    </message>
    <message>
        <source>pairwise accuracy: how often chosen scores above rejected</source>
        <translation>paarweise Genauigkeit: wie oft die gewählte Antwort höher bewertet wird als die abgelehnte</translation>
    </message>
    <message>
        <source>Ensemble size</source>
        <translation>Ensemblegröße</translation>
    </message>
    <message>
        <source>Heads of the retrained version, each trained on its own bootstrap resample of the labels: with 2 or more the model knows where it is unsure (the inspector&apos;s uncertainty column and Most uncertain first); 1 is a single model</source>
        <translation>Köpfe der neu trainierten Version, jeder auf seiner eigenen Bootstrap-Stichprobe der Labels trainiert: ab 2 weiß das Modell, wo es unsicher ist (Streuungsspalte des Inspektors und „Unsicherste zuerst“); 1 ist ein einzelnes Modell</translation>
    </message>
    <message>
        <source>%1 of them from the uncertainty queue.</source>
        <translation>%1 davon aus der Unsicherheits-Warteschlange.</translation>
    </message>
    <message>
        <source>Ensemble &amp;heads of the next version:</source>
        <translation>Ensemble-&amp;Köpfe der nächsten Version:</translation>
    </message>
</context>
<context>
    <name>awb::RunPanel</name>
    <message>
        <source>Inputs</source>
        <translation>Eingaben</translation>
    </message>
    <message>
        <source>Hugging Face model folder</source>
        <translation>Hugging-Face-Modellordner</translation>
    </message>
    <message>
        <source>Policy model folder: config.json, model.safetensors, tokenizer.json</source>
        <translation>Ordner des Policy-Modells: config.json, model.safetensors, tokenizer.json</translation>
    </message>
    <message>
        <source>Choose the policy model folder</source>
        <translation>Ordner des Policy-Modells wählen</translation>
    </message>
    <message>
        <source>Policy model folder</source>
        <translation>Ordner des Policy-Modells</translation>
    </message>
    <message>
        <source>&amp;Policy</source>
        <translation>&amp;Policy</translation>
    </message>
    <message>
        <source>no reward model yet</source>
        <translation>noch kein Belohnungsmodell</translation>
    </message>
    <message>
        <source>Reward-model version the run starts with; retrained versions are picked up at the next step</source>
        <translation>Version des Belohnungsmodells, mit der der Lauf beginnt; neu trainierte Versionen werden beim nächsten Schritt übernommen</translation>
    </message>
    <message>
        <source>&amp;Reward model</source>
        <translation>&amp;Belohnungsmodell</translation>
    </message>
    <message>
        <source>no prompts imported</source>
        <translation>keine Prompts importiert</translation>
    </message>
    <message>
        <source>Prompt set the run samples from (File ▸ Import prompts… adds one)</source>
        <translation>Prompt-Sammlung, aus der der Lauf sampelt (Datei ▸ Prompts importieren… fügt eine hinzu)</translation>
    </message>
    <message>
        <source>Pro&amp;mpts</source>
        <translation>Pro&amp;mpts</translation>
    </message>
    <message>
        <source>auto (CUDA when available)</source>
        <translation>automatisch (CUDA, wenn verfügbar)</translation>
    </message>
    <message>
        <source>cpu</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>cuda</source>
        <translation>CUDA</translation>
    </message>
    <message>
        <source>Where the policy, the reference and the reward model run</source>
        <translation>Wo Policy, Referenzmodell und Belohnungsmodell laufen</translation>
    </message>
    <message>
        <source>&amp;Device</source>
        <translation>&amp;Gerät</translation>
    </message>
    <message>
        <source>all cores (%1)</source>
        <translation>alle Kerne (%1)</translation>
    </message>
    <message>
        <source>CPU threads for the run; 0 uses all cores</source>
        <translation>CPU-Threads für den Lauf; 0 verwendet alle Kerne</translation>
    </message>
    <message>
        <source>&amp;Threads</source>
        <translation>&amp;Threads</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Lauf</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Starten</translation>
    </message>
    <message>
        <source>Start a run with these settings (F5)</source>
        <translation>Einen Lauf mit diesen Einstellungen starten (F5)</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>Pause at the end of the current step (F6)</source>
        <translation>Am Ende des aktuellen Schritts pausieren (F6)</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Resume the paused run (F6)</source>
        <translation>Den pausierten Lauf fortsetzen (F6)</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stoppen</translation>
    </message>
    <message>
        <source>Stop after the current step; a checkpoint is saved (Shift+F5)</source>
        <translation>Nach dem aktuellen Schritt stoppen; ein Checkpoint wird gespeichert (Umschalt+F5)</translation>
    </message>
    <message>
        <source>Fix the options first:
%1</source>
        <translation>Bitte zuerst die Optionen korrigieren:
%1</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>ETA %1</source>
        <translation>Restzeit %1</translation>
    </message>
    <message>
        <source>%1 tok/s</source>
        <translation>%1 Tok./s</translation>
    </message>
    <message>
        <source>step %1 / %2</source>
        <translation>Schritt %1 / %2</translation>
    </message>
    <message>
        <source>step %1</source>
        <translation>Schritt %1</translation>
    </message>
    <message>
        <source>Not running</source>
        <translation>Läuft nicht</translation>
    </message>
    <message>
        <source>Starting: loading the models…</source>
        <translation>Start: Modelle werden geladen…</translation>
    </message>
    <message>
        <source>Running: waiting for the first step…</source>
        <translation>Läuft: warte auf den ersten Schritt…</translation>
    </message>
    <message>
        <source>Pausing after this step…</source>
        <translation>Pausiert nach diesem Schritt…</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Pausiert</translation>
    </message>
    <message>
        <source>Stopping after this step…</source>
        <translation>Stoppt nach diesem Schritt…</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Abgeschlossen</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Training options</source>
        <translation>Trainingsoptionen</translation>
    </message>
</context>
<context>
    <name>awb::SampleForLabellingDialog</name>
    <message>
        <source>Sample for labelling</source>
        <translation>Stichproben zum Labeln</translation>
    </message>
    <message>
        <source>Completions of %1 for the workspace&apos;s prompts, with no reward model and no training. Label them in the Sample inspector, then train the first reward model from them (Reward model ▸ New…).</source>
        <translation>Vervollständigungen von %1 für die Prompts des Arbeitsbereichs, ohne Belohnungsmodell und ohne Training. Labeln Sie sie im Stichproben-Inspektor und trainieren Sie dann daraus das erste Belohnungsmodell (Belohnungsmodell ▸ Neu…).</translation>
    </message>
    <message>
        <source>the policy</source>
        <translation>der Policy</translation>
    </message>
    <message>
        <source>&amp;Prompts:</source>
        <translation>&amp;Prompts:</translation>
    </message>
    <message>
        <source>&amp;Completions per prompt:</source>
        <translation>&amp;Vervollständigungen je Prompt:</translation>
    </message>
    <message>
        <source>&amp;Tokens per completion (at most):</source>
        <translation>&amp;Tokens je Vervollständigung (höchstens):</translation>
    </message>
    <message>
        <source>&amp;Sample</source>
        <translation>&amp;Ziehen</translation>
    </message>
</context>
<context>
    <name>awb::SampleInspector</name>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Adv.</source>
        <translation>Vort.</translation>
    </message>
    <message>
        <source>Reward</source>
        <translation>Belohnung</translation>
    </message>
    <message>
        <source>Completion</source>
        <translation>Antwort</translation>
    </message>
    <message>
        <source>Index of the completion in its group</source>
        <translation>Index der Antwort in ihrer Gruppe</translation>
    </message>
    <message>
        <source>GRPO advantage; the group is sorted by it, best first</source>
        <translation>GRPO-Vorteil; die Gruppe ist danach sortiert, beste zuerst</translation>
    </message>
    <message>
        <source>Group (same prompt, same step), by advantage</source>
        <translation>Gruppe (gleicher Prompt, gleicher Schritt), nach Vorteil</translation>
    </message>
    <message>
        <source>Sample</source>
        <translation>Sample</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Label</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>&lt;p style=&apos;color:gray&apos;&gt;Select a sample in the table to see it in full and label it.&lt;/p&gt;</source>
        <translation>&lt;p style=&apos;color:gray&apos;&gt;Wählen Sie ein Sample in der Tabelle, um es vollständig zu sehen und zu labeln.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Sample %1&lt;/b&gt; &amp;middot; run %2 &amp;middot; step %3 &amp;middot; group %4 &amp;middot; completion %5</source>
        <translation>&lt;p&gt;&lt;b&gt;Sample %1&lt;/b&gt; &amp;middot; Lauf %2 &amp;middot; Schritt %3 &amp;middot; Gruppe %4 &amp;middot; Antwort %5</translation>
    </message>
    <message>
        <source> &amp;middot; reward %1 &amp;middot; advantage %2</source>
        <translation> &amp;middot; Belohnung %1 &amp;middot; Vorteil %2</translation>
    </message>
    <message>
        <source> &amp;middot; RM v%1</source>
        <translation> &amp;middot; BM v%1</translation>
    </message>
    <message>
        <source> &amp;middot; %1 tokens</source>
        <translation> &amp;middot; %1 Tokens</translation>
    </message>
    <message>
        <source> &amp;middot; finish: %1</source>
        <translation> &amp;middot; Ende: %1</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Prompt&lt;/b&gt;&lt;br&gt;%1&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Prompt&lt;/b&gt;&lt;br&gt;%1&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Completion&lt;/b&gt;&lt;br&gt;%1&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Antwort&lt;/b&gt;&lt;br&gt;%1&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Aspect</source>
        <translation>Aspekt</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Gold</source>
        <translation>Gold</translation>
    </message>
    <message>
        <source>First step shown</source>
        <translation>Erster angezeigter Schritt</translation>
    </message>
    <message>
        <source>last</source>
        <translation>letzter</translation>
    </message>
    <message>
        <source>Last step shown (&quot;last&quot;: no limit)</source>
        <translation>Letzter angezeigter Schritt („letzter“: keine Grenze)</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Schritte</translation>
    </message>
    <message>
        <source>to</source>
        <translation>bis</translation>
    </message>
    <message>
        <source>prompt contains…</source>
        <translation>Prompt enthält…</translation>
    </message>
    <message>
        <source>Keep samples whose prompt contains this text (case-insensitive)</source>
        <translation>Samples behalten, deren Prompt diesen Text enthält (ohne Beachtung der Groß-/Kleinschreibung)</translation>
    </message>
    <message>
        <source>All samples</source>
        <translation>Alle Samples</translation>
    </message>
    <message>
        <source>Labelled</source>
        <translation>Gelabelt</translation>
    </message>
    <message>
        <source>Unlabelled</source>
        <translation>Nicht gelabelt</translation>
    </message>
    <message>
        <source>Show all samples, only labelled ones, or only those still to label</source>
        <translation>Alle Samples zeigen, nur gelabelte oder nur noch zu labelnde</translation>
    </message>
    <message>
        <source>Disagreement first</source>
        <translation>Größte Abweichung zuerst</translation>
    </message>
    <message>
        <source>Only labelled samples, sorted by |reward model - label|, largest first</source>
        <translation>Nur gelabelte Samples, sortiert nach |Belohnungsmodell - Label|, größte zuerst</translation>
    </message>
    <message>
        <source>Clear filters</source>
        <translation>Filter zurücksetzen</translation>
    </message>
    <message>
        <source>Score at least:</source>
        <translation>Bewertung mindestens:</translation>
    </message>
    <message>
        <source>Keep samples whose reward-model %1 score is at least this (the minimum keeps all)</source>
        <translation>Samples behalten, deren %1-Bewertung durch das Belohnungsmodell mindestens diesen Wert hat (das Minimum behält alle)</translation>
    </message>
    <message>
        <source>%1 of %2 samples</source>
        <translation>%1 von %2 Samples</translation>
    </message>
    <message>
        <source>&lt;p&gt;Trained with weights: %1&lt;/p&gt;</source>
        <translation>&lt;p&gt;Trainiert mit den Gewichten: %1&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Why this one&lt;/b&gt;: the reward model&apos;s %1 members disagree most on %2 (spread %3). Their scores:&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Warum dieses&lt;/b&gt;: Die %1 Mitglieder des Belohnungsmodells sind sich bei %2 am wenigsten einig (Streuung %3). Ihre Bewertungen:&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Most uncertain first</source>
        <translation>Unsicherste zuerst</translation>
    </message>
    <message>
        <source>Only unlabelled samples, sorted by the largest spread across the reward model&apos;s ensemble members over the aspects ticked in the menu, largest first: the labels that teach the model most. Labels given here count for the uncertainty queue.</source>
        <translation>Nur ungelabelte Beispiele, sortiert nach der größten Streuung der Ensemble-Mitglieder des Belohnungsmodells über die im Menü angehakten Aspekte, größte zuerst: die Labels, aus denen das Modell am meisten lernt. Hier vergebene Labels zählen für die Unsicherheits-Warteschlange.</translation>
    </message>
    <message>
        <source>Spread over</source>
        <translation>Streuung über</translation>
    </message>
    <message>
        <source>Mean ± spread</source>
        <translation>Mittel ± Streuung</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Mitglieder</translation>
    </message>
</context>
<context>
    <name>awb::SampleTableModel</name>
    <message>
        <source>v%1</source>
        <translation>v%1</translation>
    </message>
    <message>
        <source>%1: reward model %2, human label %3 (range %4 to %5)</source>
        <translation>%1: Belohnungsmodell %2, menschliches Label %3 (Bereich %4 bis %5)</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keins</translation>
    </message>
    <message>
        <source>Largest |reward model - label| over the labelled aspects</source>
        <translation>Größtes |Belohnungsmodell - Label| über die gelabelten Aspekte</translation>
    </message>
    <message>
        <source>Not labelled</source>
        <translation>Nicht gelabelt</translation>
    </message>
    <message>
        <source>Scored by reward model v%1</source>
        <translation>Bewertet von Belohnungsmodell v%1</translation>
    </message>
    <message>
        <source>No reward model version recorded</source>
        <translation>Keine Version des Belohnungsmodells erfasst</translation>
    </message>
    <message>
        <source>Run %1, step %2, group %3, completion %4</source>
        <translation>Lauf %1, Schritt %2, Gruppe %3, Antwort %4</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Prompt</translation>
    </message>
    <message>
        <source>Completion</source>
        <translation>Antwort</translation>
    </message>
    <message>
        <source>%1
model</source>
        <translation>%1
Modell</translation>
    </message>
    <message>
        <source>%1
label</source>
        <translation>%1
Label</translation>
    </message>
    <message>
        <source>Reward</source>
        <translation>Belohnung</translation>
    </message>
    <message>
        <source>Advantage</source>
        <translation>Vorteil</translation>
    </message>
    <message>
        <source>RM</source>
        <translation>BM</translation>
    </message>
    <message>
        <source>Disagree</source>
        <translation>Abweichung</translation>
    </message>
    <message>
        <source>Reward model&apos;s score for %1</source>
        <translation>Bewertung des Belohnungsmodells für %1</translation>
    </message>
    <message>
        <source>Latest human label for %1 (blank when unlabelled)</source>
        <translation>Neuestes menschliches Label für %1 (leer, wenn nicht gelabelt)</translation>
    </message>
    <message>
        <source>GRPO advantage within the completion&apos;s group (blue below the group mean, orange above)</source>
        <translation>GRPO-Vorteil innerhalb der Gruppe der Antwort (blau unter dem Gruppenmittel, orange darüber)</translation>
    </message>
    <message>
        <source>Version of the reward model that scored the completion</source>
        <translation>Version des Belohnungsmodells, das die Antwort bewertet hat</translation>
    </message>
    <message>
        <source>Largest |reward model - human label| over the labelled aspects</source>
        <translation>Größtes |Belohnungsmodell - menschliches Label| über die gelabelten Aspekte</translation>
    </message>
    <message>
        <source>Aggregated reward used by GRPO</source>
        <translation>Von GRPO verwendete aggregierte Belohnung</translation>
    </message>
    <message>
        <source>Scored by a single reward model: no spread</source>
        <translation>Von einem einzelnen Belohnungsmodell bewertet: keine Streuung</translation>
    </message>
    <message>
        <source>%1: spread %2 across the reward model&apos;s members (%3)</source>
        <translation>%1: Streuung %2 über die Mitglieder des Belohnungsmodells (%3)</translation>
    </message>
    <message>
        <source>%1
± spread</source>
        <translation>%1
± Streuung</translation>
    </message>
    <message>
        <source>Spread (standard deviation) of the reward model&apos;s ensemble members&apos; %1 scores: where it is large, the model does not know</source>
        <translation>Streuung (Standardabweichung) der %1-Bewertungen der Ensemble-Mitglieder des Belohnungsmodells: wo sie groß ist, weiß das Modell es nicht</translation>
    </message>
</context>
<context>
    <name>awb::SteerController</name>
    <message>
        <source>Generating %1…</source>
        <translation>Generiere %1…</translation>
    </message>
    <message>
        <source>This run was not steerable: it answered at the weights it trained with.</source>
        <translation>Dieser Lauf war nicht steuerbar: er antwortete mit den Gewichten, mit denen er trainiert wurde.</translation>
    </message>
    <message>
        <source>Sweeping the front: %1 of %2 weight vectors</source>
        <translation>Front wird überstrichen: %1 von %2 Gewichtsvektoren</translation>
    </message>
    <message>
        <source>Measuring %1…</source>
        <translation>Messe %1…</translation>
    </message>
    <message>
        <source>The sweep was cancelled.</source>
        <translation>Das Überstreichen wurde abgebrochen.</translation>
    </message>
</context>
<context>
    <name>awb::WeightsPanel</name>
    <message>
        <source>Sum, then normalise</source>
        <translation>Summieren, dann normalisieren</translation>
    </message>
    <message>
        <source>Normalise each, then sum</source>
        <translation>Einzeln normalisieren, dann summieren</translation>
    </message>
    <message>
        <source>The sum of the weights; with normalising on it is 1</source>
        <translation>Die Summe der Gewichte; bei eingeschalteter Normalisierung ist sie 1</translation>
    </message>
    <message>
        <source>&amp;Aggregation:</source>
        <translation>&amp;Aggregation:</translation>
    </message>
    <message>
        <source>sum_then_normalize (TRL&apos;s default): the weighted sum of the raw aspect scores, then normalised within each prompt&apos;s group. An aspect with a wide spread of scores dominates the advantage.</source>
        <translation>sum_then_normalize (Standard in TRL): die gewichtete Summe der rohen Aspektbewertungen, danach innerhalb der Gruppe jedes Prompts normalisiert. Ein Aspekt mit breit streuenden Bewertungen dominiert den Vorteil.</translation>
    </message>
    <message>
        <source>normalize_then_sum (GDPO): each aspect is normalised within its group first, then weighted and summed, then the sum is normalised over the batch. Every aspect counts on the same scale, so the weights mean what they say.</source>
        <translation>normalize_then_sum (GDPO): jeder Aspekt wird zuerst innerhalb seiner Gruppe normalisiert, dann gewichtet und summiert, danach wird die Summe über den Batch normalisiert. Jeder Aspekt zählt auf derselben Skala, die Gewichte bedeuten also genau das, was sie angeben.</translation>
    </message>
    <message>
        <source>How the aspect scores become one reward per completion.

%1

%2</source>
        <translation>Wie aus den Aspektbewertungen eine Belohnung je Antwort wird.

%1

%2</translation>
    </message>
    <message>
        <source>&amp;Normalise to sum 1</source>
        <translation>Auf Summe 1 &amp;normalisieren</translation>
    </message>
    <message>
        <source>Rescale the weights so they sum to 1. While on, the weight you edit keeps its value and the others shrink or grow in proportion.</source>
        <translation>Die Gewichte so skalieren, dass ihre Summe 1 ist. Solange dies an ist, behält das bearbeitete Gewicht seinen Wert und die anderen schrumpfen oder wachsen anteilig.</translation>
    </message>
    <message>
        <source>&amp;Reset</source>
        <translation>&amp;Zurücksetzen</translation>
    </message>
    <message>
        <source>Give every aspect the same weight (1, or 1/K while normalising)</source>
        <translation>Jedem Aspekt dasselbe Gewicht geben (1, oder 1/K bei Normalisierung)</translation>
    </message>
    <message>
        <source>The weights and aggregation the trainer used, as it reported them</source>
        <translation>Die Gewichte und die Aggregation, die der Trainer verwendet hat, wie er sie gemeldet hat</translation>
    </message>
    <message>
        <source>%1 weight</source>
        <translation>Gewicht %1</translation>
    </message>
    <message>
        <source>Sum %1</source>
        <translation>Summe %1</translation>
    </message>
    <message>
        <source>Not used by a training step yet.</source>
        <translation>Noch von keinem Trainingsschritt verwendet.</translation>
    </message>
    <message>
        <source>In force since step %1: %2; %3</source>
        <translation>Gültig seit Schritt %1: %2; %3</translation>
    </message>
    <message>
        <source>Editing… sent to the trainer when you pause.</source>
        <translation>Bearbeitung… wird an den Trainer gesendet, sobald Sie innehalten.</translation>
    </message>
    <message>
        <source>Sent; takes effect at the next training step.</source>
        <translation>Gesendet; wirkt ab dem nächsten Trainingsschritt.</translation>
    </message>
    <message>
        <source>Weight of %1 in the reward. Arrows: ±0.01 on the slider, ±0.05 in the box; Page Up/Down ±0.10. Applied from the next training step.</source>
        <translation>Gewicht von %1 in der Belohnung. Pfeiltasten: ±0.01 am Schieberegler, ±0.05 im Feld; Bild auf/ab ±0.10. Gilt ab dem nächsten Trainingsschritt.</translation>
    </message>
    <message>
        <source>Constraints</source>
        <translation>Nebenbedingungen</translation>
    </message>
    <message>
        <source>Aspects held to a bound instead of weighed (Safe RLHF): each has a Lagrange multiplier lambda that grows while the batch mean breaks the bound and takes the aspect&apos;s weight in the reward. A new bound applies from the next step.</source>
        <translation>Aspekte, die an eine Schranke gebunden statt gewichtet werden (Safe RLHF): jeder hat einen Lagrange-Multiplikator Lambda, der wächst, solange der Batch-Mittelwert die Schranke verletzt, und der im Reward das Gewicht des Aspekts ersetzt. Eine neue Schranke gilt ab dem nächsten Schritt.</translation>
    </message>
    <message>
        <source>%1 bound</source>
        <translation>Schranke %1</translation>
    </message>
    <message>
        <source>The bound on the batch mean of %1&apos;s raw reward-model scores, inside (%2, %3). Applied from the next training step.</source>
        <translation>Die Schranke für den Batch-Mittelwert der rohen Reward-Model-Bewertungen von %1, innerhalb von (%2, %3). Gilt ab dem nächsten Trainingsschritt.</translation>
    </message>
    <message>
        <source>lambda: not used yet</source>
        <translation>Lambda: noch nicht verwendet</translation>
    </message>
    <message>
        <source>%1 is held by a constraint: its lambda takes the weight&apos;s place in the reward</source>
        <translation>%1 ist durch eine Nebenbedingung gebunden: ihr Lambda nimmt im Reward den Platz des Gewichts ein</translation>
    </message>
    <message>
        <source>step %1: lambda %2</source>
        <translation>Schritt %1: Lambda %2</translation>
    </message>
    <message>
        <source>step %1: bound %2, lambda %3</source>
        <translation>Schritt %1: Schranke %2, Lambda %3</translation>
    </message>
</context>
<context>
    <name>awb::WorkbenchController</name>
    <message>
        <source>Run</source>
        <translation>Lauf</translation>
    </message>
    <message>
        <source>Aspect weights</source>
        <translation>Aspektgewichte</translation>
    </message>
    <message>
        <source>Reward model</source>
        <translation>Belohnungsmodell</translation>
    </message>
    <message>
        <source>Step %1: %2</source>
        <translation>Schritt %1: %2</translation>
    </message>
    <message>
        <source>Stop the running job before opening another workspace.</source>
        <translation>Beenden Sie den laufenden Auftrag, bevor Sie einen anderen Arbeitsbereich öffnen.</translation>
    </message>
    <message>
        <source>Cannot open the workspace %1: %2</source>
        <translation>Der Arbeitsbereich %1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>%1 – Alignment Workbench</source>
        <translation>%1 – Alignment Workbench</translation>
    </message>
    <message numerus="yes">
        <source>Workspace %1: %n run(s)</source>
        <translation>
            <numerusform>Arbeitsbereich %1: %n Lauf</numerusform>
            <numerusform>Arbeitsbereich %1: %n Läufe</numerusform>
        </translation>
    </message>
    <message>
        <source>The demo was not found (set AWB_DEMO_DIR, or run `awb demo-init --out DIR`).</source>
        <translation>Die Demo wurde nicht gefunden (AWB_DEMO_DIR setzen oder `awb demo-init --out DIR` ausführen).</translation>
    </message>
    <message>
        <source>Open a workspace or the demo first (File menu).</source>
        <translation>Öffnen Sie zuerst einen Arbeitsbereich oder die Demo (Menü Datei).</translation>
    </message>
    <message>
        <source>The labels were not saved: %1</source>
        <translation>Die Labels wurden nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>the demo&apos;s reward model</source>
        <translation>das Belohnungsmodell der Demo</translation>
    </message>
    <message>
        <source>newest version</source>
        <translation>neueste Version</translation>
    </message>
    <message>
        <source>v%1 · %2</source>
        <translation>v%1 · %2</translation>
    </message>
    <message>
        <source>Workspaces (*.awb);;All files (*)</source>
        <translation>Arbeitsbereiche (*.awb);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>New workspace</source>
        <translation>Neuer Arbeitsbereich</translation>
    </message>
    <message>
        <source>Open workspace</source>
        <translation>Arbeitsbereich öffnen</translation>
    </message>
    <message>
        <source>Open a workspace first.</source>
        <translation>Öffnen Sie zuerst einen Arbeitsbereich.</translation>
    </message>
    <message>
        <source>Import prompts</source>
        <translation>Prompts importieren</translation>
    </message>
    <message>
        <source>Prompt files (*.jsonl *.json *.csv *.gz);;All files (*)</source>
        <translation>Prompt-Dateien (*.jsonl *.json *.csv *.gz);;Alle Dateien (*)</translation>
    </message>
    <message numerus="yes">
        <source>Imported %n prompt(s) from %1</source>
        <translation>
            <numerusform>%n Prompt aus %1 importiert</numerusform>
            <numerusform>%n Prompts aus %1 importiert</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot import %1: %2</source>
        <translation>%1 kann nicht importiert werden: %2</translation>
    </message>
    <message>
        <source>No run to export.</source>
        <translation>Kein Lauf zum Exportieren.</translation>
    </message>
    <message>
        <source>Export samples</source>
        <translation>Samples exportieren</translation>
    </message>
    <message>
        <source>JSON lines (*.jsonl)</source>
        <translation>JSON Lines (*.jsonl)</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>Samples exported to %1</source>
        <translation>Samples nach %1 exportiert</translation>
    </message>
    <message>
        <source>Export run metrics</source>
        <translation>Lauf-Metriken exportieren</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>generating completions</source>
        <translation>Vervollständigungen werden erzeugt</translation>
    </message>
    <message>
        <source>scoring with the reward model</source>
        <translation>Bewertung durch das Belohnungsmodell</translation>
    </message>
    <message>
        <source>reference log-probabilities</source>
        <translation>Referenz-Log-Wahrscheinlichkeiten</translation>
    </message>
    <message>
        <source>updating the policy</source>
        <translation>Policy wird aktualisiert</translation>
    </message>
    <message>
        <source>Run %1 finished at step %2</source>
        <translation>Lauf %1 bei Schritt %2 abgeschlossen</translation>
    </message>
    <message>
        <source>Run %1 stopped at step %2</source>
        <translation>Lauf %1 bei Schritt %2 gestoppt</translation>
    </message>
    <message>
        <source>Run %1 failed at step %2</source>
        <translation>Lauf %1 bei Schritt %2 fehlgeschlagen</translation>
    </message>
    <message>
        <source>Run %1 ended at step %2 (%3)</source>
        <translation>Lauf %1 bei Schritt %2 beendet (%3)</translation>
    </message>
    <message>
        <source>&amp;Overlay runs on the curves</source>
        <translation>Läufe in den Kurven &amp;überlagern</translation>
    </message>
    <message>
        <source>Run %1 · %2</source>
        <translation>Lauf %1 · %2</translation>
    </message>
    <message>
        <source>No other run with these aspects</source>
        <translation>Kein anderer Lauf mit diesen Aspekten</translation>
    </message>
    <message>
        <source>All aspect weights are 0, so every advantage would be 0; the run keeps the weights it has. Set at least one weight above 0.</source>
        <translation>Alle Aspektgewichte sind 0, damit wäre jeder Vorteil 0; der Lauf behält seine bisherigen Gewichte. Setzen Sie mindestens ein Gewicht über 0.</translation>
    </message>
    <message>
        <source>All aspect weights are 0, so every advantage would be 0 and GRPO would learn nothing. Set at least one weight above 0.</source>
        <translation>Alle Aspektgewichte sind 0, damit wäre jeder Vorteil 0 und GRPO würde nichts lernen. Setzen Sie mindestens ein Gewicht über 0.</translation>
    </message>
    <message numerus="yes">
        <source>%n label(s) of %1 sample(s) written to %2</source>
        <translation>
            <numerusform>%n Label von %1 Sample(s) nach %2 geschrieben</numerusform>
            <numerusform>%n Labels von %1 Sample(s) nach %2 geschrieben</numerusform>
        </translation>
    </message>
    <message>
        <source>The labels were not exported: %1</source>
        <translation>Die Labels wurden nicht exportiert: %1</translation>
    </message>
    <message>
        <source>No labels were imported: %1</source>
        <translation>Es wurden keine Labels importiert: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n label(s) added</source>
        <translation>
            <numerusform>%n Label hinzugefügt</numerusform>
            <numerusform>%n Labels hinzugefügt</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n already present (skipped)</source>
        <translation>
            <numerusform>%n bereits vorhanden (übersprungen)</numerusform>
            <numerusform>%n bereits vorhanden (übersprungen)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n for samples this workspace does not hold (skipped)</source>
        <translation>
            <numerusform>%n für Samples, die dieser Arbeitsbereich nicht enthält (übersprungen)</numerusform>
            <numerusform>%n für Samples, die dieser Arbeitsbereich nicht enthält (übersprungen)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n conflict(s) between annotators (the latest label wins):</source>
        <translation>
            <numerusform>%n Konflikt zwischen Annotatoren (das neueste Label gilt):</numerusform>
            <numerusform>%n Konflikte zwischen Annotatoren (das neueste Label gilt):</numerusform>
        </translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(ohne Namen)</translation>
    </message>
    <message>
        <source>  sample %1, %2: %3</source>
        <translation>  Sample %1, %2: %3</translation>
    </message>
    <message>
        <source>Export labels</source>
        <translation>Labels exportieren</translation>
    </message>
    <message>
        <source>Import labels</source>
        <translation>Labels importieren</translation>
    </message>
    <message>
        <source>JSON lines (*.jsonl);;All files (*)</source>
        <translation>JSON-Zeilen (*.jsonl);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Labels imported from %1</source>
        <translation>Labels aus %1 importiert</translation>
    </message>
    <message>
        <source>JSON lines (*.jsonl);;CSV (*.csv)</source>
        <translation>JSON-Zeilen (*.jsonl);;CSV (*.csv)</translation>
    </message>
    <message>
        <source>Run %1 · %2 — step %3 (LoRA)</source>
        <translation>Lauf %1 · %2 — Schritt %3 (LoRA)</translation>
    </message>
    <message>
        <source>Run %1 · %2 — step %3</source>
        <translation>Lauf %1 · %2 — Schritt %3</translation>
    </message>
    <message numerus="yes">
        <source>v%1 — %n label(s), %2</source>
        <translation>
            <numerusform>v%1 — %n Label, %2</numerusform>
            <numerusform>v%1 — %n Labels, %2</numerusform>
        </translation>
    </message>
    <message>
        <source>An export is still running; wait for it to finish.</source>
        <translation>Ein Export läuft noch; warten Sie, bis er fertig ist.</translation>
    </message>
    <message>
        <source>Exporting the policy to %1…</source>
        <translation>Policy wird nach %1 exportiert…</translation>
    </message>
    <message>
        <source>LoRA adapters of step %1 written to %2 (%3 tensors, %4)</source>
        <translation>LoRA-Adapter von Schritt %1 nach %2 geschrieben (%3 Tensoren, %4)</translation>
    </message>
    <message>
        <source>Exporting the reward model to %1…</source>
        <translation>Belohnungsmodell wird nach %1 exportiert…</translation>
    </message>
    <message>
        <source>Reward model written to %1 (aspects: %2)</source>
        <translation>Belohnungsmodell nach %1 geschrieben (Aspekte: %2)</translation>
    </message>
    <message>
        <source>The reward model is being retrained; import when that has finished.</source>
        <translation>Das Belohnungsmodell wird gerade neu trainiert; importieren Sie, wenn das fertig ist.</translation>
    </message>
    <message>
        <source>Importing the reward model from %1…</source>
        <translation>Belohnungsmodell wird aus %1 importiert…</translation>
    </message>
    <message>
        <source>Import reward model (a folder with reward_model.json)</source>
        <translation>Belohnungsmodell importieren (ein Ordner mit reward_model.json)</translation>
    </message>
    <message>
        <source>Policy of step %1 written to %2 (%3 tensors, %4, %5)</source>
        <translation>Policy von Schritt %1 nach %2 geschrieben (%3 Tensoren, %4, %5)</translation>
    </message>
    <message>
        <source>Reward model: epoch %1 of %2, batch %3 of %4</source>
        <translation>Belohnungsmodell: Epoche %1 von %2, Batch %3 von %4</translation>
    </message>
    <message>
        <source>Sampling for labelling: %1 of %2 prompts</source>
        <translation>Stichproben zum Labeln: %1 von %2 Prompts</translation>
    </message>
    <message>
        <source>A reward-model job is running; start when it has finished.</source>
        <translation>Ein Auftrag für das Belohnungsmodell läuft; starten Sie, wenn er beendet ist.</translation>
    </message>
    <message>
        <source>A reward-model job is running; sample when it has finished.</source>
        <translation>Ein Auftrag für das Belohnungsmodell läuft; ziehen Sie Stichproben, wenn er beendet ist.</translation>
    </message>
    <message>
        <source>Sampling for labelling…</source>
        <translation>Stichproben zum Labeln…</translation>
    </message>
    <message>
        <source>The workspace has no prompts: import a prompt file first (File ▸ Import prompts).</source>
        <translation>Der Arbeitsbereich hat keine Prompts: Importieren Sie zuerst eine Prompt-Datei (Datei ▸ Prompts importieren).</translation>
    </message>
    <message>
        <source>No reward model: train one from data (Reward model ▸ New…), import one (File ▸ Import reward model), or sample for labelling (File ▸ Sample for labelling) and train the first one from your labels.</source>
        <translation>Kein Belohnungsmodell: Trainieren Sie eines aus Daten (Belohnungsmodell ▸ Neu…), importieren Sie eines (Datei ▸ Belohnungsmodell importieren) oder ziehen Sie Stichproben zum Labeln (Datei ▸ Stichproben zum Labeln) und trainieren Sie das erste aus Ihren Labels.</translation>
    </message>
    <message>
        <source>weights</source>
        <translation>Gewichte</translation>
    </message>
    <message>
        <source>pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>resume</source>
        <translation>Fortsetzung</translation>
    </message>
    <message>
        <source>stop</source>
        <translation>Stopp</translation>
    </message>
    <message>
        <source>reward model version %1</source>
        <translation>Belohnungsmodell Version %1</translation>
    </message>
    <message>
        <source>Run %1 (trained by another process) takes the new %2 at its next step (controls revision %3)</source>
        <translation>Lauf %1 (von einem anderen Prozess trainiert) übernimmt die neue Einstellung (%2) beim nächsten Schritt (Steuerungsrevision %3)</translation>
    </message>
    <message>
        <source>Cannot pass the %1 to run %2: %3</source>
        <translation>%1 kann nicht an Lauf %2 übergeben werden: %3</translation>
    </message>
    <message>
        <source>Following run %1, which another process trains; weights, pause and stop reach it at its next step</source>
        <translation>Folge Lauf %1, den ein anderer Prozess trainiert; Gewichte, Pause und Stopp erreichen ihn beim nächsten Schritt</translation>
    </message>
    <message>
        <source>Run %1 (another process) is %2 at step %3</source>
        <translation>Lauf %1 (anderer Prozess) ist %2 bei Schritt %3</translation>
    </message>
    <message>
        <source>bounds</source>
        <translation>Schranken</translation>
    </message>
    <message>
        <source>The new bounds apply from the next step</source>
        <translation>Die neuen Schranken gelten ab dem nächsten Schritt</translation>
    </message>
    <message>
        <source>Playground</source>
        <translation>Spielwiese</translation>
    </message>
    <message>
        <source>Still busy with the last request (or a front sweep).</source>
        <translation>Noch mit der letzten Anfrage (oder einem Überstreichen der Front) beschäftigt.</translation>
    </message>
    <message>
        <source>Loading the checkpoint…</source>
        <translation>Lade den Checkpoint…</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>Fertig.</translation>
    </message>
    <message>
        <source>Run %1 · %2 (steerable) · step %3</source>
        <translation>Lauf %1 · %2 (steuerbar) · Schritt %3</translation>
    </message>
    <message>
        <source>Run %1 · %2 · step %3</source>
        <translation>Lauf %1 · %2 · Schritt %3</translation>
    </message>
    <message>
        <source>Open a workspace with a run first.</source>
        <translation>Öffnen Sie zuerst einen Arbeitsbereich mit einem Lauf.</translation>
    </message>
    <message>
        <source>Run %1 has no checkpoint yet: a sweep generates from one.</source>
        <translation>Lauf %1 hat noch keinen Checkpoint: ein Überstreichen generiert aus einem.</translation>
    </message>
    <message>
        <source>run %1</source>
        <translation>Lauf %1</translation>
    </message>
    <message>
        <source>run %1 (%2)</source>
        <translation>Lauf %1 (%2)</translation>
    </message>
    <message>
        <source>The playground is still generating; sweep when it has finished.</source>
        <translation>Die Spielwiese generiert noch; überstreichen Sie, wenn sie fertig ist.</translation>
    </message>
    <message>
        <source>Sweeping the front of run %1…</source>
        <translation>Überstreiche die Front von Lauf %1…</translation>
    </message>
</context>
</TS>
